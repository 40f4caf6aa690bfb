package tracking

import (
	"context"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// stopSpy records the context the store's UpdateRun receives.
type stopSpy struct {
	*memStore
	deadline    time.Time
	hasDeadline bool
	err         error
}

func (s *stopSpy) UpdateRun(ctx context.Context, runID string, status store.RunStatus, endTime int64, name string) (*store.RunInfo, error) {
	s.deadline, s.hasDeadline = ctx.Deadline()
	s.err = ctx.Err()
	return s.memStore.UpdateRun(ctx, runID, status, endTime, name)
}

// TestStopAfterCancel: EndWithError marks a run after its context was cancelled
// (Ctrl-C), and gives the store at most StopTimeout to do it.
func TestStopAfterCancel(t *testing.T) {
	spy := &stopSpy{memStore: newMemStore()}
	c := NewClient(spy, "mem")
	run := startTestRun(t, c, RunOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := time.Now()
	if err := run.EndWithError(ctx, store.StatusKilled, nil); err != nil {
		t.Fatal(err)
	}
	if spy.err != nil {
		t.Errorf("the store got a context that had ended: %v", spy.err)
	}
	if !spy.hasDeadline || spy.deadline.Before(before) || spy.deadline.After(time.Now().Add(StopTimeout)) {
		t.Errorf("the store got deadline %v (set %v), want within %v of the call", spy.deadline, spy.hasDeadline, StopTimeout)
	}
	r, err := c.GetRun(context.Background(), run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Status != store.StatusKilled {
		t.Errorf("run status %s, want KILLED", r.Info.Status)
	}
}

// TestErrorStatus: a run stopped on an error is KILLED once its context is
// cancelled or past its deadline, and FAILED while the context is live.
func TestErrorStatus(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		want store.RunStatus
	}{
		{"live", context.Background(), store.StatusFailed},
		{"cancelled", cancelled, store.StatusKilled},
		{"deadline", expired, store.StatusKilled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorStatus(tt.ctx); got != tt.want {
				t.Errorf("ErrorStatus = %s, want %s", got, tt.want)
			}
		})
	}
}
