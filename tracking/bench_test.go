package tracking_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

func benchRun(b *testing.B) *tracking.Run {
	b.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(b.TempDir(), "mlflow.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	exp, err := c.GetOrCreateExperiment(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	r, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkLogMetric is one metric through the client into SQLite: the
// client's checks plus one store write.
func BenchmarkLogMetric(b *testing.B) {
	r := benchRun(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := r.LogMetric(ctx, "loss", 1/float64(i+1), int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLogBatch10000 is 10,000 metrics through the client, which checks
// them and cuts them into ten requests of MLflow's 1000.
func BenchmarkLogBatch10000(b *testing.B) {
	r := benchRun(b)
	ctx := context.Background()
	ms := make([]store.Metric, 10000)
	step := int64(0)
	for b.Loop() {
		for i := range ms {
			ms[i] = store.Metric{Key: "loss", Value: float64(i), Step: step}
			step++
		}
		if err := r.LogMetricPoints(ctx, ms); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateKey(b *testing.B) {
	for b.Loop() {
		if err := tracking.ValidateKey("metric", "training_accuracy_score/fold-3"); err != nil {
			b.Fatal(err)
		}
	}
}
