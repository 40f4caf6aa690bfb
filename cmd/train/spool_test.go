package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
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

// TestSpoolWhenServerGoesAway stops the server at each request of a run in
// turn (with -short, only at the command's own recording after autolog's:
// its -metric value, its chart and the run's end): the run goes on in the
// spool, and a sync leaves the server one FINISHED run holding every part
// once.
func TestSpoolWhenServerGoesAway(t *testing.T) {
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
	args := []string{"-trees", "3", "-metric", "holdout_accuracy=0.9", "-run-name", "away"}
	total := func() int64 {
		srv, _ := serverGoingAway(t, 1<<30)
		if code, _, stderr := runCmd(t, append(args, "-tracking-uri", srv.url)...); code != 0 {
			t.Fatalf("with the server up: exit %d, %s", code, stderr)
		}
		return srv.seen.Load()
	}()
	first := int64(0)
	if testing.Short() {
		first = total - 5 // the command's own recording, after autolog's
	}
	for after := first; after < total; after++ {
		t.Run(strconv.FormatInt(after, 10), func(t *testing.T) {
			t.Setenv(tracking.EnvSpool, t.TempDir())
			srv, back := serverGoingAway(t, after)
			code, _, stderr := runCmd(t, append(args, "-tracking-uri", srv.url)...)
			if code != 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "go run ./cmd/sync -from ") {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			spool, err := tracking.OpenSpool(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer spool.Close()
			if _, err := gsync.Sync(context.Background(), spool.Store(), back, gsync.Options{}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			e, err := back.GetExperimentByName(ctx, "random_forest")
			if err != nil {
				t.Fatal(err)
			}
			runs, err := store.AllRuns(ctx, back, store.RunQuery{ExperimentIDs: []string{e.ID}})
			if err != nil || len(runs) != 1 {
				t.Fatalf("%d runs on the server (%v), want the one the command started", len(runs), err)
			}
			r := runs[0]
			if r.Info.Status != store.StatusFinished || len(r.Outputs.Models) != 1 {
				t.Errorf("the server's run is %s with %d models", r.Info.Status, len(r.Outputs.Models))
			}
			for _, key := range []string{"holdout_accuracy", "test_accuracy_score"} {
				if h, err := back.GetMetricHistory(ctx, r.Info.RunID, key); err != nil || len(h) != 1 {
					t.Errorf("%s: %d points on the server (%v), want 1", key, len(h), err)
				}
			}
			repo, err := back.Artifacts(ctx, r.Info.ArtifactURI)
			if err != nil {
				t.Fatal(err)
			}
			if rc, err := repo.Open(ctx, "metrics_report.html"); err != nil {
				t.Errorf("no chart on the server: %v", err)
			} else {
				rc.Close()
			}
		})
	}
}

type goingAway struct {
	url  string
	seen atomic.Int64
}

// serverGoingAway serves MLflow's API over a SQLite store on loopback and
// drops every connection after it has answered after requests. It returns
// the server and, for reading back, its store.
func serverGoingAway(t *testing.T, after int64) (*goingAway, *sqlstore.Store) {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "artifacts")
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "server.db"), sqlstore.Options{ArtifactRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	api := server.New(server.Config{Store: st, ArtifactRoot: root})
	g := &goingAway{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.seen.Add(1) > after {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	g.url = srv.URL
	return g, st
}
