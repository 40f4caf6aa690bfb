package sync_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

// TestOfflineFit trains with the server down at the start, and with the
// server going away mid-run: autolog.Fit records the whole run into the
// spool, and once the server is back a sync gives the server a run equal
// to the spooled one, its model loadable; a run the server had started is
// completed, not left RUNNING beside a new one.
func TestOfflineFit(t *testing.T) {
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		downAfter int64 // requests answered before the server goes away; 0: down from the start
	}{
		{"down-at-start", 0},
		{"down-before-training", 6},
		{"down-after-training", 12},
		{"down-while-logging-the-model", 14},
		{"down-before-the-metrics", 16},
		{"down-at-the-end", 17},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			ts := newServer(t)
			var seen atomic.Int64
			ts.setBefore(func(*http.Request) bool {
				if seen.Add(1) > tt.downAfter {
					ts.down.Store(true)
				}
				return !ts.down.Load()
			})
			srv := tracking.NewClient(ts.client(t), ts.URL)
			srv.SetLogger(nil)
			spoolStore := openSQLite(t, t.TempDir())
			spool := tracking.NewClient(spoolStore, "sqlite:///spool.db")
			spool.SetLogger(nil)
			res, err := autolog.Fit(ctx, srv, forest.New(forest.Config{Trees: 5, Seed: 3}), train, test,
				autolog.Options{Experiment: exp, RunName: "offline", Spool: func(context.Context) (*tracking.Client, error) { return spool, nil }})
			if err != nil {
				t.Fatal(err)
			}
			if res.SpooledFrom != ts.URL || res.Run == nil || res.Run.Client() != spool {
				t.Fatalf("run not spooled: SpooledFrom %q", res.SpooledFrom)
			}
			local := mustRun(t, spoolStore, res.RunID)
			if local.Info.Status != store.StatusFinished {
				t.Errorf("spooled run is %s", local.Info.Status)
			}

			ts.setBefore(nil)
			ts.down.Store(false)
			dst := ts.client(t)
			if _, err := gsync.Sync(ctx, spoolStore, dst, gsync.Options{}); err != nil {
				t.Fatal(err)
			}
			sameAll(t, spoolStore, []string{res.RunID}, dst, exp)
			cs := copies(t, dst, exp)
			if cont, ok := local.Tag(gsync.TagContinuesRunID); tt.downAfter > 0 && (!ok || cs[res.RunID].Info.RunID != cont) {
				t.Errorf("the server's run %q was not completed; the copy is %s", cont, cs[res.RunID].Info.RunID)
			}
			got := predict(t, tracking.NewClient(dst, ""), cs[res.RunID].Outputs.Models[0].ModelID, iris.Load().X)
			want := predict(t, spool, res.ModelID, iris.Load().X)
			if len(got) != len(want) {
				t.Fatal("the model on the server predicts differently")
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatal("the model on the server predicts differently")
				}
			}
			if sum, err := gsync.Sync(ctx, spoolStore, dst, gsync.Options{}); err != nil || sum.Runs != 0 {
				t.Errorf("second sync: %+v, %v", sum, err)
			}
		})
	}
}
