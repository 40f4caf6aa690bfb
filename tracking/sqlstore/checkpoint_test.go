package sqlstore

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// shortOr is n, or short under -short.
func shortOr(n, short int) int {
	if testing.Short() {
		return short
	}
	return n
}

// TestCheckpointerBoundsWAL logs batch after batch with a low checkpoint
// threshold: the log must stay within a few thresholds, its pages must all
// reach the database file once logging stops, and nothing may be lost.
func TestCheckpointerBoundsWAL(t *testing.T) {
	defer func(n int) { walCheckpointFrames = n }(walCheckpointFrames)
	walCheckpointFrames = 40
	ctx := context.Background()
	s := newStore(t)
	id := newRun(t, s, "wal").Info.RunID
	probe, err := lite.Open(s.path, busyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	// Fewer under -short (CI's race detector run): still several times the
	// bound checked below, were nothing checkpointed.
	batches := shortOr(200, 80)
	batch := make([]store.Metric, 200)
	most := 0
	for b := range batches {
		for j := range batch {
			step := int64(b*len(batch) + j)
			batch[j] = store.Metric{Key: "loss", Value: float64(step), Timestamp: step, Step: step}
		}
		if err := s.LogBatch(ctx, id, batch, nil, nil); err != nil {
			t.Fatal(err)
		}
		frames, _, err := probe.Checkpoint(lite.CheckpointNoop)
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, frames)
	}
	// Without checkpoints the log would hold every page written: several
	// hundred frames.
	if most > 8*walCheckpointFrames {
		t.Errorf("the log grew to %d frames; threshold %d", most, walCheckpointFrames)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		frames, copied, err := probe.Checkpoint(lite.CheckpointNoop)
		if err != nil {
			t.Fatal(err)
		}
		if frames-copied < walCheckpointFrames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d frames still not copied", frames-copied, frames)
		}
		time.Sleep(10 * time.Millisecond)
	}
	h, err := s.GetMetricHistory(ctx, id, "loss")
	if err != nil || len(h) != batches*len(batch) {
		t.Fatalf("history: %d points, %v", len(h), err)
	}
	probe.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The last connection to close copies what is left and removes the log.
	if _, err := os.Stat(s.path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("after Close, the log is still there: %v", err)
	}
}
