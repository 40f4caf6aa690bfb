package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// TestSpoolWhenServerDown trains with no server at the tracking URI: the
// run is recorded whole into the spool, and one line says where and how to
// send it on; GROVE_SPOOL=off makes it a failure instead.
func TestSpoolWhenServerDown(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(tracking.EnvSpool, dir)
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
	code, _, stderr := runCmd(t, "-tracking-uri", "http://127.0.0.1:1", "-trees", "5")
	uri := "sqlite:///" + filepath.ToSlash(filepath.Join(dir, "mlflow.db"))
	if code != 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "go run ./cmd/sync -from "+uri+" -to http://127.0.0.1:1\n") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	c, err := tracking.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e, err := c.Store().GetExperimentByName(context.Background(), "random_forest")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(context.Background(), e.ID)
	if err != nil || len(runs) != 1 || runs[0].Info.Status != store.StatusFinished || len(runs[0].Outputs.Models) != 1 {
		t.Fatalf("spool holds %d runs (%v)", len(runs), err)
	}

	t.Setenv(tracking.EnvSpool, "off")
	if code, _, stderr := runCmd(t, "-tracking-uri", "http://127.0.0.1:1", "-trees", "5"); code != 1 || !strings.Contains(stderr, "no answer") {
		t.Errorf("GROVE_SPOOL=off: exit %d, stderr %q", code, stderr)
	}
}
