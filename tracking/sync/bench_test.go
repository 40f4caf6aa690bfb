package sync_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

// BenchmarkSync1000Runs pushes 1,000 runs of 10 params, 10 metrics and two
// small artifacts each from a SQLite file to a server on loopback.
func BenchmarkSync1000Runs(b *testing.B) {
	ctx := context.Background()
	src := openSQLite(b, b.TempDir())
	c := tracking.NewClient(src, "")
	c.SetLogger(nil)
	e, err := c.GetOrCreateExperiment(ctx, exp)
	if err != nil {
		b.Fatal(err)
	}
	const runs = 1000
	for i := range runs {
		r, err := c.StartRun(ctx, e.ID, tracking.RunOptions{Name: fmt.Sprintf("run-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		var params []store.Param
		var metrics []store.Metric
		for k := range 10 {
			params = append(params, store.Param{Key: fmt.Sprintf("p%d", k), Value: fmt.Sprint(i * k)})
			metrics = append(metrics, store.Metric{Key: fmt.Sprintf("m%d", k), Value: float64(i) / float64(k+1), Timestamp: 1_700_000_000_000})
		}
		if err := c.LogBatch(ctx, r.ID(), metrics, params, nil); err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"a.txt", "b/c.json"} {
			if err := r.LogArtifactBytes(ctx, name, []byte(fmt.Sprintf(`{"run": %d, "file": %q}`, i, name))); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.End(ctx, store.StatusFinished); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		ts := newServer(b)
		dst := ts.client(b)
		b.StartTimer()
		sum, err := gsync.Sync(ctx, src, dst, gsync.Options{Experiment: exp})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Runs != runs {
			b.Fatalf("%d runs copied, want %d", sum.Runs, runs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/runs, "ms/run")
}
