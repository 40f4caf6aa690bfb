package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "metrics")
	id := r.Info.RunID
	log := func(ms ...store.Metric) {
		t.Helper()
		if err := s.LogBatch(ctx, id, ms, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	log(store.Metric{Key: "loss", Value: 1, Timestamp: 10, Step: 0},
		store.Metric{Key: "loss", Value: 0.5, Timestamp: 11, Step: 1},
		store.Metric{Key: "loss", Value: 0.25, Timestamp: 12, Step: 2})
	// An older step logged later does not become the latest point.
	log(store.Metric{Key: "loss", Value: 9, Timestamp: 99, Step: 1})
	// Same step, later timestamp wins; same step and timestamp, larger value.
	log(store.Metric{Key: "acc", Value: 0.7, Timestamp: 20, Step: 3}, store.Metric{Key: "acc", Value: 0.6, Timestamp: 21, Step: 3})
	log(store.Metric{Key: "acc", Value: 0.9, Timestamp: 21, Step: 3}, store.Metric{Key: "acc", Value: 0.8, Timestamp: 21, Step: 3})
	// A point logged twice is kept once.
	log(store.Metric{Key: "loss", Value: 0.25, Timestamp: 12, Step: 2})
	// NaN and infinities, stored as MLflow stores them.
	log(store.Metric{Key: "odd", Value: math.Inf(1), Timestamp: 1, Step: 0},
		store.Metric{Key: "odd", Value: math.Inf(-1), Timestamp: 2, Step: 1},
		store.Metric{Key: "odd", Value: math.NaN(), Timestamp: 3, Step: 2})

	run, _ := s.GetRun(ctx, id)
	want := map[string]store.Metric{
		"loss": {Key: "loss", Value: 0.25, Timestamp: 12, Step: 2},
		"acc":  {Key: "acc", Value: 0.9, Timestamp: 21, Step: 3},
	}
	for k, w := range want {
		if m, ok := run.Metric(k); !ok || m != w {
			t.Errorf("latest %s = %+v, want %+v", k, m, w)
		}
	}
	if m, _ := run.Metric("odd"); !math.IsNaN(m.Value) || m.Step != 2 {
		t.Errorf("latest odd = %+v, want NaN at step 2", m)
	}
	h, err := s.GetMetricHistory(ctx, id, "loss")
	if err != nil {
		t.Fatal(err)
	}
	wantH := []store.Metric{{Key: "loss", Value: 1, Timestamp: 10}, {Key: "loss", Value: 0.5, Timestamp: 11, Step: 1}, {Key: "loss", Value: 9, Timestamp: 99, Step: 1}, {Key: "loss", Value: 0.25, Timestamp: 12, Step: 2}}
	if fmt.Sprint(h) != fmt.Sprint(wantH) {
		t.Errorf("history %v, want %v", h, wantH)
	}
	h, _ = s.GetMetricHistory(ctx, id, "odd")
	if len(h) != 3 || h[0].Value != math.MaxFloat64 || h[1].Value != -math.MaxFloat64 || !math.IsNaN(h[2].Value) {
		t.Errorf("odd history %v", h)
	}
	rows, _ := sqlDB(t, s).Query(`SELECT value, is_nan FROM metrics WHERE run_uuid = ? AND "key" = 'odd' ORDER BY step`, id)
	var stored []string
	for rows.Next() {
		var v float64
		var n int
		rows.Scan(&v, &n)
		stored = append(stored, fmt.Sprint(v, n))
	}
	rows.Close()
	if fmt.Sprint(stored) != "[1.7976931348623157e+308 0 -1.7976931348623157e+308 0 0 1]" {
		t.Errorf("stored odd rows %v", stored)
	}
	if h, err := s.GetMetricHistory(ctx, id, "none"); err != nil || len(h) != 0 {
		t.Errorf("missing metric: %v %v", h, err)
	}
	if _, err := s.GetMetricHistory(ctx, "nope", "loss"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	many := make([]store.Metric, store.MaxBatchMetrics+1)
	for i := range many {
		many[i] = store.Metric{Key: "m", Value: float64(i), Step: int64(i)}
	}
	if err := s.LogBatch(ctx, id, many, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("too many metrics: %v", err)
	}
	if err := s.LogBatch(ctx, id, many[:store.MaxBatchMetrics], nil, nil); err != nil {
		t.Errorf("a full batch: %v", err)
	}
	if h, _ := s.GetMetricHistory(ctx, id, "m"); len(h) != store.MaxBatchMetrics {
		t.Errorf("history of a full batch has %d points", len(h))
	}
	// A whole batch has no limit on its size, only on its keys and values.
	if err := s.LogWholeBatch(ctx, id, many, nil, nil); err != nil {
		t.Errorf("a whole batch over MLflow's limit: %v", err)
	}
	if h, _ := s.GetMetricHistory(ctx, id, "m"); len(h) != store.MaxBatchMetrics+1 {
		t.Errorf("after the whole batch, history has %d points", len(h))
	}
	if err := s.LogWholeBatch(ctx, id, []store.Metric{{Key: strings.Repeat("k", 251)}}, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("long key in a whole batch: %v", err)
	}
	if err := s.LogBatch(ctx, id, []store.Metric{{Key: strings.Repeat("k", 251)}}, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("long key: %v", err)
	}
	if _, err := s.UpdateRun(ctx, id, store.StatusFinished, 50, ""); err != nil {
		t.Fatal(err)
	}
	// A finished run still takes metrics, as in MLflow; a missing run does not.
	if err := s.LogBatch(ctx, "missing", []store.Metric{{Key: "x"}}, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
}
