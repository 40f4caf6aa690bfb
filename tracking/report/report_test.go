package report_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

func TestBadInput(t *testing.T) {
	st := newMemStore()
	id, _ := seed(t, st, "e", sweep())
	ctx := context.Background()
	for _, x := range []string{"param:", "steps", "Param:test_size"} {
		t.Run("x="+x, func(t *testing.T) {
			if _, err := report.Build(ctx, st, id, report.Options{X: x}); err == nil || !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("x=%q: error %v, want a report error", x, err)
			}
		})
	}
	if _, err := report.Build(ctx, st, "999", report.Options{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown experiment: %v, want not found", err)
	}
	if _, err := report.Log(ctx, st, "nope", report.Options{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown run: %v, want not found", err)
	}
	if err := report.Render(io.Discard, nil, report.Options{}); err == nil {
		t.Errorf("nil data rendered")
	}
}

func TestLog(t *testing.T) {
	st := newMemStore()
	_, ids := seed(t, st, "logged", sweep())
	ctx := context.Background()
	newest := ids[len(ids)-1]
	page, err := report.Log(ctx, st, newest, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.GetRun(ctx, newest)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := st.Artifacts(ctx, run.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	files, err := repo.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != report.ArtifactName || files[0].Size != int64(len(page)) {
		t.Fatalf("artifacts %+v, want %s of %d bytes", files, report.ArtifactName, len(page))
	}
	rc, err := repo.Open(ctx, report.ArtifactName)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, page) {
		t.Errorf("stored page differs from the returned one")
	}
	if n := len(readData(t, got).Charts[0].Option.Series); n != 5 {
		t.Errorf("logged page draws %d runs, want all 5", n)
	}
}

// countingStore counts history requests and fails those for one key.
type countingStore struct {
	*memstore.Store
	mu      sync.Mutex
	calls   int
	failKey string
}

func (s *countingStore) GetMetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	if key == s.failKey {
		return nil, errors.New("connection reset")
	}
	return s.Store.GetMetricHistory(ctx, runID, key)
}

func TestCollectHistories(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		runs      []runSpec
		failKey   string
		wantCalls int
		wantErr   string
	}{
		// Scores logged once at step 0 need no history: the latest value is it.
		{"once per run", sweep(), "", 0, ""},
		{"histories", curves(12, 3, 5), "", 36, ""},
		{"failing history", curves(12, 3, 5), "loss_01", -1, `report: history of metric "loss_01" of run`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &countingStore{Store: newMemStore(), failKey: tt.failKey}
			id, _ := seed(t, st, "c", tt.runs)
			d, err := report.Collect(ctx, st, id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "connection reset") {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.calls != tt.wantCalls {
				t.Errorf("%d history requests, want %d", st.calls, tt.wantCalls)
			}
			if len(d.Runs) != len(tt.runs) {
				t.Fatalf("%d runs, want %d", len(d.Runs), len(tt.runs))
			}
			for _, r := range d.Runs {
				want := 1
				if tt.wantCalls > 0 {
					want = 5 // the whole history, not only the latest point
				}
				for k, pts := range r.Metrics {
					if len(pts) != want {
						t.Errorf("run %s metric %s: %d points, want %d", r.Info.RunName, k, len(pts), want)
					}
				}
			}
		})
	}
}
