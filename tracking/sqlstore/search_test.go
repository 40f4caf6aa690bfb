package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

func TestSearchRunsPages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	exp, _ := s.CreateExperiment(ctx, "search", "", nil)
	other, _ := s.CreateExperiment(ctx, "other", "", nil)
	const n = 25
	for i := range n {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(1000 + i%7)})
		if err != nil {
			t.Fatal(err)
		}
		s.LogBatch(ctx, r.Info.RunID, []store.Metric{{Key: "i", Value: float64(i)}}, []store.Param{{Key: "i", Value: fmt.Sprint(i)}}, nil)
	}
	s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: other})
	seen := map[string]bool{}
	tok := ""
	pages := 0
	last := int64(math.MaxInt64)
	for {
		runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: 10, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range runs {
			if seen[r.Info.RunID] {
				t.Errorf("run %s on two pages", r.Info.RunID)
			}
			seen[r.Info.RunID] = true
			if r.Info.StartTime > last {
				t.Errorf("runs not newest first")
			}
			last = r.Info.StartTime
			if len(r.Data.Metrics) != 1 || len(r.Data.Params) != 1 || len(r.Data.Tags) != 1 {
				t.Errorf("run %s data %+v", r.Info.RunID, r.Data)
			}
		}
		if next == "" {
			break
		}
		tok = next
	}
	if len(seen) != n || pages != 3 {
		t.Errorf("%d runs on %d pages, want %d on 3", len(seen), pages, n)
	}
	runs, _, _ := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp, other}})
	if len(runs) != n+1 {
		t.Errorf("two experiments: %d runs", len(runs))
	}
	for _, q := range []store.RunQuery{{}, {ExperimentIDs: []string{exp}, PageToken: "!!"}, {ExperimentIDs: []string{exp}, MaxResults: -1}, {ExperimentIDs: []string{"x"}}} {
		if _, _, err := s.SearchRuns(ctx, q); !errors.Is(err, store.ErrInvalidParameter) {
			t.Errorf("SearchRuns(%+v): %v", q, err)
		}
	}
}

// TestSearchRunsPagesWhileWriting pages through runs that tie on start time
// while other connections add and delete runs between pages. A page token
// is an offset, as MLflow's are, so each page must be what a search from
// scratch gives at that offset, whether or not the order of the previous
// page could be reused; a listing read across those writes repeats a run
// when one is added before its page, as MLflow's does.
func TestSearchRunsPagesWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	exp, _ := s.CreateExperiment(ctx, "paging", "", nil)
	for i := range 30 {
		if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(1000 + i%7)}); err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}})
	if err != nil {
		t.Fatal(err)
	}
	before := func(a, b store.RunInfo) bool {
		return a.StartTime > b.StartTime || (a.StartTime == b.StartTime && a.RunID < b.RunID)
	}
	for i := 1; i < len(all); i++ {
		if !before(all[i-1].Info, all[i].Info) {
			t.Fatalf("runs %d and %d out of order: %+v, %+v", i-1, i, all[i-1].Info, all[i].Info)
		}
	}
	const size = 4
	db := sqlDB(t, s)
	for _, tt := range []struct {
		q     store.RunQuery
		where string // the same search in SQL, over runs that are active
	}{
		{store.RunQuery{ExperimentIDs: []string{exp}}, "1 ORDER BY start_time DESC, run_uuid"},
		{store.RunQuery{ExperimentIDs: []string{exp}, Filter: "attributes.start_time < 1006", OrderBy: []string{"attributes.run_id DESC"}}, "start_time < 1006 ORDER BY run_uuid DESC"},
	} {
		q := tt.q
		tok := ""
		for page := 0; ; page++ {
			q.MaxResults, q.PageToken = size, tok
			runs, next, err := s.SearchRuns(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			rows, err := db.QueryContext(ctx, `SELECT run_uuid FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active' AND `+tt.where+` LIMIT ? OFFSET ?`, exp, size, page*size)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				rows.Scan(&id)
				want = append(want, id)
			}
			rows.Close()
			var got []string
			for _, r := range runs {
				got = append(got, r.Info.RunID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q page %d:\n got %q\nwant %q", q.Filter, page, got, want)
			}
			switch page {
			case 2: // a run that sorts before this page, and one after it
				if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 1005}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 1}); err != nil {
					t.Fatal(err)
				}
			case 3: // as mlflow ui deletes a run
				if _, err := sqlDB(t, s).ExecContext(ctx, `UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_uuid = ?`, runs[0].Info.RunID); err != nil {
					t.Fatal(err)
				}
			}
			if next == "" {
				if page < 5 {
					t.Errorf("%q: %d pages", q.Filter, page+1)
				}
				break
			}
			tok = next
		}
	}
}

// TestSearchRunsScanOrSeek lists the same runs in one page, which reads the
// params, tags and metrics tables whole, and in pages too small for that,
// which seek each run's rows: both must give what GetRun gives.
func TestSearchRunsScanOrSeek(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	exp, _ := s.CreateExperiment(ctx, "scan", "", nil)
	other, _ := s.CreateExperiment(ctx, "other", "", nil)
	const n = 2 * minScanPage
	for i := range n + 10 {
		e := exp
		if i >= n {
			e = other // rows a scan must skip
		}
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: e, StartTime: int64(i % 9)})
		if err != nil {
			t.Fatal(err)
		}
		var ms []store.Metric
		var ps []store.Param
		for k := range i % 4 {
			ms = append(ms, store.Metric{Key: fmt.Sprintf("m%d", k), Value: []float64{float64(i), math.NaN(), math.Inf(-1)}[k%3], Step: int64(k)})
			ps = append(ps, store.Param{Key: fmt.Sprintf("p%d", 3-k), Value: fmt.Sprint(i * k)})
		}
		if err := s.LogBatch(ctx, r.Info.RunID, ms, ps, []store.Tag{{Key: "t", Value: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	whole, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}})
	if err != nil || next != "" || len(whole) != n {
		t.Fatalf("one page: %d runs, next %q, %v", len(whole), next, err)
	}
	var paged []*store.Run
	tok := ""
	for {
		runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: 7, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, runs...)
		if next == "" {
			break
		}
		tok = next
	}
	if len(paged) != n {
		t.Fatalf("in pages of 7: %d runs", len(paged))
	}
	for i := range whole {
		one, err := s.GetRun(ctx, whole[i].Info.RunID)
		if err != nil {
			t.Fatal(err)
		}
		// NaN is not equal to itself: compare the printed runs.
		w, p, g := fmt.Sprintf("%+v", *whole[i]), fmt.Sprintf("%+v", *paged[i]), fmt.Sprintf("%+v", *one)
		if w != g || p != g {
			t.Errorf("run %d:\n one page %s\n in pages %s\n GetRun   %s", i, w, p, g)
		}
		if k := len(one.Data.Params); k != len(one.Data.Metrics) || len(one.Data.Tags) != 2 {
			t.Errorf("run %d: %d params, %d metrics, %d tags", i, k, len(one.Data.Metrics), len(one.Data.Tags))
		}
	}
}

// TestCancelledReads cancels reads at random points: the store must stay
// usable, with no connection left inside a transaction.
func TestCancelledReads(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateExperiment(ctx, "cancel", "", nil)
	// Under -short (CI's race detector run, which slows SQLite tenfold),
	// fewer runs keep the reads as long as 2000 runs make them otherwise.
	seedRuns(t, s, 1, shortOr(2000, 300))
	runs, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{"1"}, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := runs[0].Info.RunID
	for i := range 40 {
		cctx, cancel := context.WithTimeout(ctx, time.Duration(i*50)*time.Microsecond)
		s.SearchRuns(cctx, store.RunQuery{ExperimentIDs: []string{"1"}})
		s.GetMetricHistory(cctx, id, "loss")
		s.GetRun(cctx, id)
		cancel()
	}
	for range 8 {
		if _, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{"1"}, MaxResults: 5}); err != nil {
			t.Fatalf("SearchRuns after cancellations: %v", err)
		}
		if err := s.LogBatch(ctx, id, []store.Metric{{Key: "after", Value: 1}}, nil, nil); err != nil {
			t.Fatalf("LogBatch after cancellations: %v", err)
		}
		if _, err := s.GetRun(ctx, id); err != nil {
			t.Fatalf("GetRun after cancellations: %v", err)
		}
	}
}
