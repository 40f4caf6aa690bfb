package report_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/sqlstore"
)

// BenchmarkCollectSQLite measures reading 500 runs x 10 metrics x 100 steps
// back from MLflow's SQLite schema, the work cmd/train does before drawing the
// page at the end of a training.
func BenchmarkCollectSQLite(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "mlflow.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t0 := time.Now()
	id, _ := seed(b, st, "large", curves(500, 10, 100))
	b.Logf("recorded 500 runs x 10 metrics x 100 steps in %v", time.Since(t0))
	b.ResetTimer()
	for b.Loop() {
		d, err := report.Collect(ctx, st, id)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Runs) != 500 || len(d.Runs[499].Metrics["loss_09"]) != 100 {
			b.Fatalf("collected %d runs", len(d.Runs))
		}
	}
}
