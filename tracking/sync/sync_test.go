package sync_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
	"gonum.org/v1/gonum/mat"
)

const exp = "random_forest"

// TestSyncToServer pushes a local store to a server on loopback: every
// part of every run reads back equal, the models load and predict as the
// originals do, and a second sync sends nothing.
func TestSyncToServer(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t, t.TempDir())
	ids := recordRuns(t, src, exp, 3)
	ts := newServer(t)
	dst := ts.client(t)

	var progress strings.Builder
	sum, err := gsync.Sync(ctx, src, dst, gsync.Options{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	sameAll(t, src, ids, dst, exp)
	if sum.Runs != 3 || sum.Models != 3 || sum.Experiments != 1 || sum.Skipped != 0 {
		t.Errorf("summary %+v", sum)
	}
	var points, bytes int64
	for _, id := range ids {
		r, _ := src.GetRun(ctx, id)
		for _, m := range r.Data.Metrics {
			h, _ := src.GetMetricHistory(ctx, id, m.Key)
			points += int64(len(h))
		}
		for _, d := range files(t, src, r.Info.ArtifactURI) {
			bytes += int64(len(d))
		}
		lm, _ := src.GetLoggedModel(ctx, r.Outputs.Models[0].ModelID)
		for _, d := range files(t, src, lm.ArtifactLocation) {
			bytes += int64(len(d))
		}
	}
	if sum.Points != points || sum.Bytes != bytes {
		t.Errorf("summary says %d points, %d bytes; the runs hold %d and %d", sum.Points, sum.Bytes, points, bytes)
	}
	if n := strings.Count(progress.String(), "copied run "); n != 3 {
		t.Errorf("%d progress lines, want 3:\n%s", n, progress.String())
	}

	// The models load from the server and predict as the originals.
	X := iris.Load().X
	cs := copies(t, dst, exp)
	for _, id := range ids {
		want := predict(t, tracking.NewClient(src, ""), mustRun(t, src, id).Outputs.Models[0].ModelID, X)
		got := predict(t, tracking.NewClient(dst, ""), cs[id].Outputs.Models[0].ModelID, X)
		if !slices.Equal(got, want) {
			t.Errorf("run %s: the copied model predicts differently", id)
		}
	}

	ts.reset()
	sum, err = gsync.Sync(ctx, src, dst, gsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 0 || sum.Points != 0 || sum.Bytes != 0 || sum.Skipped != 3 {
		t.Errorf("second sync: %+v", sum)
	}
	for _, ep := range []string{"runs/create", "runs/log-batch", "runs/update", "logged-models", "mlflow-artifacts/artifacts"} {
		if n := ts.count(ep); n > 0 && ep != "mlflow-artifacts/artifacts" && ep != "logged-models" {
			t.Errorf("second sync sent %d requests to %s", n, ep)
		}
	}
	sameAll(t, src, ids, dst, exp)
}

func mustRun(t testing.TB, s store.Store, id string) *store.Run {
	t.Helper()
	r, err := s.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func predict(t testing.TB, c *tracking.Client, modelID string, X mat.Matrix) []int {
	t.Helper()
	rc, _, err := autolog.OpenModel(context.Background(), c, modelID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	f, err := forest.Load(rc)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLongHistoryInBatches sends a 100,000-point history in requests of
// MLflow's batch size, not one per point, and it reads back point for point.
func TestLongHistoryInBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 100,000-point history in -short mode")
	}
	ctx := context.Background()
	src := openSQLite(t, t.TempDir())
	c := tracking.NewClient(src, "")
	e, err := c.GetOrCreateExperiment(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.StartRun(ctx, e.ID, tracking.RunOptions{Name: "long"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_000
	points := make([]store.Metric, n)
	for i := range points {
		points[i] = store.Metric{Key: "loss", Value: float64(n-i) / n, Step: int64(i), Timestamp: int64(1_700_000_000_000 + i)}
	}
	if err := run.LogMetricPoints(ctx, points); err != nil {
		t.Fatal(err)
	}
	if err := run.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
	ts := newServer(t)
	dst := ts.client(t)
	sum, err := gsync.Sync(ctx, src, dst, gsync.Options{Experiment: exp})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Points != n {
		t.Errorf("%d points sent, want %d", sum.Points, n)
	}
	// Two batches more than the points need: the run's tags take room in
	// the first, and the state tag comes last.
	if got, most := ts.count("runs/log-batch"), n/store.MaxBatchMetrics+2; got > most {
		t.Errorf("%d log-batch requests for %d points, want at most %d", got, n, most)
	}
	cs := copies(t, dst, exp)
	h, err := dst.GetMetricHistory(ctx, cs[run.ID()].Info.RunID, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(h, points, samePoint) {
		t.Errorf("history read back: %d points, or they differ from the %d sent", len(h), n)
	}
}

// TestResumeAfterCancel interrupts a sync at different requests, then runs
// it again: every run ends with exactly one complete copy equal to it. The
// request that triggers the interruption is carried out by the server but
// its answer is lost, the worst moment for a client to stop.
func TestResumeAfterCancel(t *testing.T) {
	src := openSQLite(t, t.TempDir())
	ids := recordRuns(t, src, exp, 3)
	for _, tt := range []struct {
		name  string
		path  string // the first request to this path stops the sync
		after int64  // or the request with this number
	}{
		{name: "request-3", after: 3},
		{name: "request-14", after: 14},
		{name: "request-31", after: 31},
		{name: "run-created", path: "/runs/create"},
		{name: "model-created", path: "/logged-models"},
		{name: "model-linked", path: "/runs/outputs"},
		{name: "inputs", path: "/runs/log-inputs"},
		{name: "batch", path: "/runs/log-batch"},
		{name: "artifact", path: "/mlflow-artifacts/artifacts/"},
		{name: "run-ended", path: "/runs/update"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newServer(t)
			dst := ts.client(t)
			ctx, cancel := context.WithCancel(context.Background())
			var seen atomic.Int64
			ts.setBefore(func(r *http.Request) bool {
				n := seen.Add(1)
				if n == tt.after || tt.path != "" && strings.Contains(r.URL.Path, tt.path) && r.Method != http.MethodGet {
					cancel()
				}
				return true
			})
			_, err := gsync.Sync(ctx, src, dst, gsync.Options{Workers: 2})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted sync: %v, want context.Canceled", err)
			}
			ts.setBefore(nil)
			ts.settle(t)
			if _, err := gsync.Sync(context.Background(), src, dst, gsync.Options{}); err != nil {
				t.Fatal(err)
			}
			sameAll(t, src, ids, dst, exp)
			e, _ := dst.GetExperimentByName(context.Background(), exp)
			if runs, _ := store.AllRuns(context.Background(), dst, store.RunQuery{ExperimentIDs: []string{e.ID}}); len(runs) != len(ids) {
				t.Errorf("%d runs on the target, want %d", len(runs), len(ids))
			}
		})
	}
}

// TestTargetDownMidSync stops the server in the middle of a sync: the
// sync fails, the target holds no copy marked complete that is not, the
// source is untouched, and the next sync completes the job.
func TestTargetDownMidSync(t *testing.T) {
	src := openSQLite(t, t.TempDir())
	ids := recordRuns(t, src, exp, 4)
	ts := newServer(t)
	dst := ts.client(t)
	var seen atomic.Int64
	ts.setBefore(func(r *http.Request) bool {
		if seen.Add(1) > 25 {
			ts.down.Store(true)
			return false
		}
		return true
	})
	if _, err := gsync.Sync(context.Background(), src, dst, gsync.Options{Workers: 1, DeleteSource: true}); err == nil {
		t.Fatal("sync to a server that went away: no error")
	}
	ts.setBefore(nil)
	ts.settle(t)
	ts.down.Store(false)
	// Nothing is complete on the target that lacks a part, and the source
	// still has every run since none was complete when it failed.
	for id, c := range copies(t, dst, exp) {
		if v, _ := c.Tag(gsync.TagState); v == gsync.StateComplete {
			sameRun(t, src, id, dst, c.Info.RunID)
		}
	}
	left, _ := store.AllRuns(context.Background(), src, store.RunQuery{ExperimentIDs: []string{mustRun(t, src, ids[0]).Info.ExperimentID}})
	done, partial := 0, 0
	for _, c := range copies(t, dst, exp) {
		if v, _ := c.Tag(gsync.TagState); v == gsync.StateComplete {
			done++
		} else {
			partial++
		}
	}
	if partial == 0 {
		t.Errorf("the server went away with no partial copy on it (%d complete): the test does not reach the middle of a run", done)
	}
	if len(left) != len(ids)-done {
		t.Errorf("%d source runs left after %d complete copies of %d", len(left), done, len(ids))
	}
	sum, err := gsync.Sync(context.Background(), src, dst, gsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != len(left) {
		t.Errorf("second sync copied %d runs, want %d", sum.Runs, len(left))
	}
	sameAll(t, src, ids, dst, exp)
}
