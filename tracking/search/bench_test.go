package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// benchRuns records the experiment of the server's speed targets: 1,000
// runs of 10 params, 10 metrics and 5 tags each.
func benchRuns(b *testing.B) (*sql.DB, []*store.Run, string) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "mlflow.db")
	st, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	exp, err := st.CreateExperiment(ctx, "bench", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	var runs []*store.Run
	for i := range 1000 {
		r, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(1767225600000 + i)})
		if err != nil {
			b.Fatal(err)
		}
		var ms []store.Metric
		var ps []store.Param
		var ts []store.Tag
		for k := range 10 {
			ms = append(ms, store.Metric{Key: fmt.Sprintf("m%d", k), Value: float64((i*7+k*13)%1000) / 1000, Timestamp: 1})
			ps = append(ps, store.Param{Key: fmt.Sprintf("p%d", k), Value: fmt.Sprintf("v%d", (i+k)%5)})
		}
		for k := range 5 {
			ts = append(ts, store.Tag{Key: fmt.Sprintf("t%d", k), Value: fmt.Sprintf("w%d", (i*k)%7)})
		}
		if err := st.LogBatch(ctx, r.Info.RunID, ms, ps, ts); err != nil {
			b.Fatal(err)
		}
		if r, err = st.GetRun(ctx, r.Info.RunID); err != nil {
			b.Fatal(err)
		}
		runs = append(runs, r)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, runs, exp
}

const (
	benchFilter = "metrics.m0 > 0.3 and params.p1 = 'v1' and tags.t2 LIKE 'w%'"
	benchOrder  = "metrics.m2 DESC"
)

// BenchmarkSearch measures one search of the server's target (filter and
// order, first 100 rows of 1,000 runs): in memory with Match and Sort, and
// as the SQL that Query.SQLite renders.
func BenchmarkSearch(b *testing.B) {
	db, runs, exp := benchRuns(b)
	b.Run("memory", func(b *testing.B) {
		for b.Loop() {
			q, err := search.ParseQuery(benchFilter, []string{benchOrder})
			if err != nil {
				b.Fatal(err)
			}
			var kept []*store.Run
			for _, r := range runs {
				if q.Match(r) {
					kept = append(kept, r)
				}
			}
			q.Sort(kept)
			if len(kept) == 0 {
				b.Fatal("no runs")
			}
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		for b.Loop() {
			q, err := search.ParseQuery(benchFilter, []string{benchOrder})
			if err != nil {
				b.Fatal(err)
			}
			s := q.SQLite("r")
			rows, err := db.Query("SELECT r.run_uuid FROM runs AS r WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' AND "+s.Where+" ORDER BY "+s.OrderBy+" LIMIT 101",
				append(append([]any{exp}, s.WhereArgs...), s.OrderArgs...)...)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n == 0 {
				b.Fatal("no runs")
			}
		}
	})
}
