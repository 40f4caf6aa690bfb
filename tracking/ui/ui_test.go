package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/ui"
)

func TestPagesServe(t *testing.T) {
	h := hostileStore(t)
	srv := serve(t, h.st, ui.Options{})
	for _, path := range []string{"/", "/experiments/" + h.expID, "/runs/" + h.runID, "/runs/" + h.runID + "/metrics",
		"/runs/" + h.runID + "/artifacts?path=plots/square.png", "/compare?runs=" + h.runID + "&runs=" + h.run2ID} {
		resp, body := get(t, srv, path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %s", path, resp.StatusCode, body)
			continue
		}
		if strings.Contains(body, "<img src=x") {
			t.Errorf("%s: the hostile name is markup in the page", path)
		}
	}
	_ = context.Background()
}
