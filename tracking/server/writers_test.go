package server_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// writerPoints is how many points each writer logs.
const writerPoints = 60

// TestWriterProcess is not a test: run by TestServerBesideAnotherProcess as
// a separate process, it records a run straight into the SQLite file the
// server serves, as a cmd/train would.
func TestWriterProcess(t *testing.T) {
	db := os.Getenv("GROVE_TEST_WRITER_DB")
	if db == "" {
		t.Skip("run as a child process by TestServerBesideAnotherProcess")
	}
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exp, err := c.GetOrCreateExperiment(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "process"})
	if err != nil {
		t.Fatal(err)
	}
	for step := range writerPoints {
		if err := r.LogMetrics(ctx, map[string]float64{"loss": float64(step)}, int64(step)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
}

// TestServerBesideAnotherProcess has clients log through the server while
// another process writes the same mlflow.db directly: nothing is lost on
// either side.
func TestServerBesideAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	url, st := serve(t, dir)
	ctx := context.Background()
	c0, err := tracking.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c0.Close()
	exp, err := c0.GetOrCreateExperiment(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^TestWriterProcess$", "-test.count=1")
	child.Env = append(os.Environ(), "GROVE_TEST_WRITER_DB="+filepath.Join(dir, "mlflow.db"))
	out := make(chan error, 1)
	var childOut []byte
	go func() {
		var err error
		childOut, err = child.CombinedOutput()
		out <- err
	}()

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c0.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "http-" + strconv.Itoa(i)})
			if err != nil {
				errs <- err
				return
			}
			for step := range writerPoints {
				if err := r.LogMetrics(ctx, map[string]float64{"loss": float64(step)}, int64(step)); err != nil {
					errs <- err
					return
				}
			}
			errs <- r.End(ctx, store.StatusFinished)
		}()
	}
	wg.Wait()
	if err := <-out; err != nil {
		t.Fatalf("writer process: %v\n%s", err, childOut)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	runs, err := c0.SearchRuns(ctx, exp.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range runs {
		names[r.Info.RunName] = true
		h, err := st.GetMetricHistory(ctx, r.Info.RunID, "loss")
		if err != nil || len(h) != writerPoints || r.Info.Status != store.StatusFinished {
			t.Errorf("run %s: %s, %d points, %v", r.Info.RunName, r.Info.Status, len(h), err)
		}
	}
	for _, n := range []string{"process", "http-0", "http-1", "http-2"} {
		if !names[n] {
			t.Errorf("run %s is missing; have %v", n, fmt.Sprint(names))
		}
	}
}
