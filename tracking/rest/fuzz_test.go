package rest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/artifact"
)

// FuzzArtifactsURI: whatever artifact URI a server reports, Artifacts either
// refuses it or returns a repository whose proxied root stays a clean
// relative path (no way to climb out of the artifact endpoint).
func FuzzArtifactsURI(f *testing.F) {
	for _, seed := range []string{"mlflow-artifacts:/1/abc/artifacts", "mlflow-artifacts://h:1/x",
		"http://h/api/2.0/mlflow-artifacts/artifacts/1", "file:///tmp/x", "/tmp/x", "s3://b/k",
		"mlflow-artifacts:/1/%2e%2e/x", "mlflow-artifacts:/../x", "C:\\x"} {
		f.Add(seed)
	}
	s, err := New("http://127.0.0.1:1", Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		repo, err := s.Artifacts(context.Background(), uri)
		if err != nil {
			return
		}
		if p, ok := repo.(*proxyRepo); ok && p.root != "" {
			if c, err := artifact.CleanPath(p.root); err != nil || c != p.root {
				t.Errorf("%q gave root %q", uri, p.root)
			}
		}
	})
}

// FuzzAnswers: no answer from a server, however malformed, makes the
// decoding panic, and every failing status gives an error.
func FuzzAnswers(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			x := loadExchange(f, strings.TrimSuffix(e.Name(), ".json"))
			f.Add(x.Status, []byte(x.Response))
		}
	}
	f.Add(200, []byte(`{"run": {"info": {"start_time": "12", "end_time": 1e3}, "data": {"metrics": [{"value": "NaN"}]}}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var run struct{ Run *api.Run }
		if json.Unmarshal(body, &run) == nil && run.Run != nil {
			run.Run.Entity()
		}
		var m struct{ Model *api.LoggedModel }
		if json.Unmarshal(body, &m) == nil && m.Model != nil {
			m.Model.Entity()
		}
		var e struct{ Experiment *api.Experiment }
		if json.Unmarshal(body, &e) == nil && e.Experiment != nil {
			e.Experiment.Entity()
		}
		if status < 100 || status > 599 {
			return
		}
		if err := statusError(status, body, "h"); err == nil {
			t.Error("no error")
		}
	})
}
