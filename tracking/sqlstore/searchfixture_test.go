package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/internal/searchtest"
	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

// searchPages reads every page of q, size runs a page, failing t when a
// page but the last is short or the pages repeat a run.
func searchPages(t *testing.T, s store.Store, q store.RunQuery, size int) ([]*store.Run, error) {
	t.Helper()
	var all []*store.Run
	seen := map[string]bool{}
	q.MaxResults = size
	for {
		runs, next, err := s.SearchRuns(context.Background(), q)
		if err != nil {
			return nil, err
		}
		if next != "" && len(runs) != size {
			t.Errorf("filter %q: a page of %d runs before the last, want %d", q.Filter, len(runs), size)
		}
		for _, r := range runs {
			if seen[r.Info.RunID] {
				t.Errorf("filter %q: run %s on two pages", q.Filter, r.Info.RunID)
			}
			seen[r.Info.RunID] = true
		}
		all = append(all, runs...)
		if next == "" {
			return all, nil
		}
		q.PageToken = next
	}
}

// TestSearchFixture answers every query of MLflow's search fixture from a
// copy of the database MLflow wrote: the runs, in MLflow's order, or
// MLflow's error, whole and five runs a page at a time.
func TestSearchFixture(t *testing.T) {
	ctx := context.Background()
	f := searchtest.Load(t)
	s, err := Open(ctx, searchtest.CopyDB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Run("whole", func(t *testing.T) {
		f.Check(t, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			runs, next, err := s.SearchRuns(ctx, q)
			if next != "" {
				t.Errorf("a page of the default size has a next page token %q", next)
			}
			return runs, err
		})
	})
	t.Run("paged", func(t *testing.T) {
		f.Check(t, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			return searchPages(t, s, q, 5)
		})
	})
}

// TestSearchAgreesWithMemstore asks random queries of the SQLite store,
// which answers them in SQL, and of the in-memory store, which evaluates
// them in Go, holding the same runs (MLflow's fixture and
// searchtest.EdgeRuns): both must give the same runs in the same order, or
// the same error.
func TestSearchAgreesWithMemstore(t *testing.T) {
	ctx := context.Background()
	f := searchtest.Load(t)
	s, err := Open(ctx, searchtest.CopyDB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	edges, _ := searchtest.EdgeRuns(t, s)
	m := memstore.New()
	for _, name := range []string{"search", "other", "edges"} {
		id, err := m.CreateExperiment(ctx, name, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"search": f.Experiments["search"], "other": f.Experiments["other"], "edges": edges}[name]; id != want {
			t.Fatalf("memstore gave experiment %s id %s, the SQLite store %s", name, id, want)
		}
	}
	rows, err := sqlDB(t, s).QueryContext(ctx, `SELECT run_uuid FROM runs ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		r, err := s.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Restore(r); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	exps := []string{f.Experiments["search"], f.Experiments["other"], edges}
	views := []store.ViewType{0, store.ViewActiveOnly, store.ViewDeletedOnly, store.ViewAll}
	answered, errs := 0, 0
	for _, q := range searchtest.RandomQueries(2, 500) {
		q.ExperimentIDs = exps[:1+rng.IntN(len(exps))]
		q.ViewType = views[rng.IntN(len(views))]
		want, _, werr := m.SearchRuns(ctx, q)
		got, gerr := searchPages(t, s, q, 1+rng.IntN(20))
		if werr != nil || gerr != nil {
			var ws, gs *store.Error
			if !errors.As(werr, &ws) || !errors.As(gerr, &gs) || *ws != *gs {
				t.Fatalf("filter %q order %q: SQLite store %v, memstore %v", q.Filter, q.OrderBy, gerr, werr)
			}
			errs++
			continue
		}
		if len(want) > 0 {
			answered++
		}
		g, w := runIDs(got), runIDs(want)
		if !slices.Equal(g, w) {
			t.Fatalf("filter %q order %q view %v experiments %v:\nSQLite store %q\n    memstore %q", q.Filter, q.OrderBy, q.ViewType, q.ExperimentIDs, g, w)
		}
	}
	t.Logf("%d of 500 random queries selected runs, %d failed alike", answered, errs)
	if answered < 200 || errs == 0 {
		t.Errorf("%d of 500 random queries selected runs, %d failed: too few to compare", answered, errs)
	}
}

func runIDs(runs []*store.Run) []string {
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.Info.RunID
	}
	return ids
}

// TestSearchExperimentsFilter searches experiments with filters and orders,
// two a page, and compares them with what search.ExperimentQuery's Match
// and Sort keep of every experiment; bad filters fail with MLflow's words.
func TestSearchExperimentsFilter(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i, name := range []string{"iris", "Iris big", "iris_small", "wine", "a*b", "Résumé"} {
		id, err := s.CreateExperiment(ctx, name, "", []store.Tag{{Key: "team", Value: []string{"a", "b", "A"}[i%3]}})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.SetExperimentTag(ctx, id, "stage", name); err != nil {
				t.Fatal(err)
			}
		}
	}
	var all []*store.Experiment
	for i := range 7 {
		e, err := s.GetExperiment(ctx, fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	tests := []struct {
		filter  string
		orderBy []string
	}{
		{"", nil},
		{"name LIKE 'iris%'", []string{"name DESC"}},
		{"name ILIKE 'iris%'", nil},
		{"tags.team = 'a' and name != 'wine'", []string{"experiment_id DESC"}},
		{"tags.stage IS NULL", []string{"name"}},
		{"creation_time > 0 and tags.team ILIKE 'A'", []string{"last_update_time DESC", "name"}},
	}
	for _, tt := range tests {
		q, err := search.ParseExperimentQuery(tt.filter, tt.orderBy)
		if err != nil {
			t.Fatal(err)
		}
		var kept []*store.Experiment
		for _, e := range all {
			if q.Match(e) {
				kept = append(kept, e)
			}
		}
		q.Sort(kept)
		var want []string
		for _, e := range kept {
			want = append(want, e.ID)
		}
		var got []string
		tok := ""
		for {
			page, next, err := s.SearchExperiments(ctx, store.ExperimentQuery{Filter: tt.filter, OrderBy: tt.orderBy, MaxResults: 2, PageToken: tok})
			if err != nil {
				t.Fatalf("%q: %v", tt.filter, err)
			}
			for _, e := range page {
				got = append(got, e.ID)
			}
			if next == "" {
				break
			}
			tok = next
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q %q: got %q, want %q", tt.filter, tt.orderBy, got, want)
		}
		if tt.filter != "" && (len(got) == 0 || len(got) == len(all)) {
			t.Errorf("%q selects %d of %d experiments: a weak test", tt.filter, len(got), len(all))
		}
	}
	for _, tt := range []struct{ filter, want string }{
		{"foo = 'x'", "Invalid attribute key 'foo' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'"},
		{"name = 'a' or name = 'b'", "Invalid clause(s) in filter string: or"},
	} {
		_, _, err := s.SearchExperiments(ctx, store.ExperimentQuery{Filter: tt.filter})
		var se *store.Error
		if !errors.As(err, &se) || se.Code != store.CodeInvalidParameter || se.Message != tt.want {
			t.Errorf("%q: %v, want %s", tt.filter, err, tt.want)
		}
	}
}
