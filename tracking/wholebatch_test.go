package tracking

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// wholeMem is memStore with store.WholeBatcher, recording what each whole
// batch held.
type wholeMem struct {
	*memStore
	whole [][3]int
}

func (w *wholeMem) LogWholeBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	w.whole = append(w.whole, [3]int{len(metrics), len(params), len(tags)})
	for _, b := range store.SplitBatch(metrics, params, tags) {
		if err := w.memStore.Store.LogBatch(ctx, runID, b.Metrics, b.Params, b.Tags); err != nil {
			return err
		}
	}
	return nil
}

func TestLogBatchWhole(t *testing.T) {
	ctx := context.Background()
	w := &wholeMem{memStore: newMemStore()}
	c := NewClient(w, "mem")
	r := startRun(t, c)
	w.whole = nil // starting the run logged its tags
	ms := make([]store.Metric, maxWholeBatch+1)
	for i := range ms {
		ms[i] = store.Metric{Key: "loss", Value: float64(i), Step: int64(i)}
	}
	if err := c.LogBatch(ctx, r.ID(), ms, []store.Param{{Key: "p", Value: "1"}}, []store.Tag{{Key: "t", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if want := [][3]int{{maxWholeBatch, 1, 1}, {1, 0, 0}}; fmt.Sprint(w.whole) != fmt.Sprint(want) {
		t.Errorf("whole batches %v, want %v", w.whole, want)
	}
	if len(w.batches) != 0 {
		t.Errorf("%d split batches sent besides", len(w.batches))
	}
	h, err := c.MetricHistory(ctx, r.ID(), "loss")
	if err != nil || len(h) != len(ms) {
		t.Errorf("history: %d points, %v", len(h), err)
	}
}

// TestLogBatchWholeSQLite logs a batch far over MLflow's limits into the
// SQLite store in one transaction: a bad point at its end records none of
// the points before it, which MLflow-sized pieces would have recorded.
func TestLogBatchWholeSQLite(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "mlflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := startRun(t, c)
	points := func(from, n int) []store.Metric {
		ms := make([]store.Metric, n)
		for i := range ms {
			ms[i] = store.Metric{Key: fmt.Sprintf("m%d", i%3), Value: float64(from + i), Step: int64(from + i)}
		}
		return ms
	}
	if err := c.LogBatch(ctx, r.ID(), points(0, 2500), []store.Param{{Key: "seed", Value: "1"}}, nil); err != nil {
		t.Fatal(err)
	}
	bad := points(2500, 3000)
	bad[len(bad)-1].ModelID = "m-0123456789abcdef0123456789abcdef" // no such logged model
	if err := c.LogBatch(ctx, r.ID(), bad, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a point of a missing model: %v", err)
	}
	for k := range 3 {
		h, err := c.MetricHistory(ctx, r.ID(), fmt.Sprintf("m%d", k))
		want := 833 // 2500 points over 3 keys: 834, 833, 833
		if k == 0 {
			want = 834
		}
		if err != nil || len(h) != want {
			t.Errorf("m%d: %d points, %v; want the first batch's only", k, len(h), err)
		}
	}
}

// startRun starts a run with default options in experiment "exp" of c.
func startRun(t *testing.T, c *Client) *Run {
	t.Helper()
	ctx := context.Background()
	exp, err := c.GetOrCreateExperiment(ctx, "exp")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRun(ctx, exp.ID, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
