package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// TestWritePoints checks what a batch promises: a missing or deleted run is
// refused, a cancelled context records nothing and leaves the store usable,
// and points sent with a param land in the same history.
func TestWritePoints(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id := newRun(t, s, "points").Info.RunID
	pts := []store.Metric{{Key: "loss", Value: 1, Step: 1}, {Key: "loss", Value: 0.5, Step: 2}}
	if err := s.LogBatch(ctx, "0123456789abcdef0123456789abcdef", pts, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.LogBatch(cancelled, id, pts, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if h, err := s.GetMetricHistory(ctx, id, "loss"); err != nil || len(h) != 0 {
		t.Errorf("after the cancelled batch: %v %v", h, err)
	}
	if err := s.LogBatch(ctx, id, pts, nil, nil); err != nil {
		t.Fatal(err)
	}
	more := []store.Metric{{Key: "loss", Value: 0.25, Step: 3}}
	if err := s.LogBatch(ctx, id, more, []store.Param{{Key: "lr", Value: "0.1"}}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.GetRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Data.Metrics) != 1 || r.Data.Metrics[0].Step != 3 || r.Data.Metrics[0].Value != 0.25 {
		t.Errorf("latest metrics %+v", r.Data.Metrics)
	}
	if _, err := sqlDB(t, s).ExecContext(ctx, `UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_uuid = ?`, id); err != nil {
		t.Fatal(err)
	}
	if err := s.LogBatch(ctx, id, pts, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("deleted run: %v", err)
	}
}

func TestWritePointsAfterClose(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id := newRun(t, s, "closed").Info.RunID
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.LogBatch(ctx, id, []store.Metric{{Key: "loss", Value: 1}}, nil, nil); err == nil {
		t.Error("logging to a closed store succeeded")
	}
	if s.writer != nil {
		t.Error("logging to a closed store opened a connection")
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "p", Value: "1"}}, nil); err == nil {
		t.Error("logging a param to a closed store succeeded")
	}
}

// TestWritePointsCancelledWhileQueued cancels a batch while it waits behind
// another writer of the process: it must record nothing.
func TestWritePointsCancelledWhileQueued(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id := newRun(t, s, "queued").Info.RunID
	for _, params := range [][]store.Param{nil, {{Key: "p", Value: "1"}}} {
		s.wmu.Lock() // another write of this process is under way
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error)
		go func() {
			errc <- s.LogBatch(cctx, id, []store.Metric{{Key: "queued", Value: 1}}, params, nil)
		}()
		time.Sleep(20 * time.Millisecond)
		cancel()
		time.Sleep(20 * time.Millisecond)
		s.wmu.Unlock()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Errorf("with params %v: %v, want context.Canceled", params, err)
		}
	}
	if h, err := s.GetMetricHistory(ctx, id, "queued"); err != nil || len(h) != 0 {
		t.Errorf("recorded %v, %v", h, err)
	}
}
