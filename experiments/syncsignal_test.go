//go:build unix

package experiments

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

// TestSyncSignal stops cmd/sync, built as a user builds it, with SIGINT in
// the middle of a push to a slow server: it exits 130 after one line that
// says a rerun finishes the job, and the rerun leaves the server with one
// complete copy of every run.
func TestSyncSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the sync command's signal in -short mode")
	}
	tmp := t.TempDir()
	syncBin := built(t, "./cmd/sync")
	ctx := context.Background()

	src := "sqlite:///" + filepath.Join(tmp, "spool.db")
	c, err := tracking.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.GetOrCreateExperiment(ctx, "offline")
	if err != nil {
		t.Fatal(err)
	}
	const runs = 40
	for i := range runs {
		r, err := c.StartRun(ctx, e.ID, tracking.RunOptions{Name: fmt.Sprintf("run-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LogMetrics(ctx, map[string]float64{"loss": 1 / float64(i+1)}, 0); err != nil {
			t.Fatal(err)
		}
		if err := r.End(ctx, store.StatusFinished); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()

	st, err := sqlstore.Open(ctx, filepath.Join(tmp, "server.db"), sqlstore.Options{ArtifactRoot: filepath.Join(tmp, "artifacts")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	api := server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(tmp, "artifacts")})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond) // a slow link: the sync takes seconds
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()

	cmd := exec.Command(syncBin, "-from", src, "-to", srv.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	copied := func() int {
		exp, err := st.GetExperimentByName(ctx, "offline")
		if err != nil {
			return 0
		}
		all, _ := store.AllRuns(ctx, st, store.RunQuery{ExperimentIDs: []string{exp.ID}})
		n := 0
		for _, r := range all {
			if v, _ := r.Tag(gsync.TagState); v == gsync.StateComplete {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(30 * time.Second); copied() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no run copied in 30 s")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd); code != 130 {
		t.Errorf("exit %d after SIGINT, want 130", code)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "sync: interrupted by SIGINT: run the same command again to finish") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr %q", got)
	}
	if n := copied(); n == runs {
		t.Fatalf("all %d runs were copied before the signal: the test did not stop it half way", n)
	}
	time.Sleep(200 * time.Millisecond) // requests on their way land

	out, err := exec.Command(syncBin, "-from", src, "-to", srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	exp, _ := st.GetExperimentByName(ctx, "offline")
	all, _ := store.AllRuns(ctx, st, store.RunQuery{ExperimentIDs: []string{exp.ID}})
	if len(all) != runs || copied() != runs {
		t.Errorf("after the rerun the server has %d runs, %d complete; want %d of each\n%s", len(all), copied(), runs, out)
	}
}
