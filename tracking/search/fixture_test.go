package search_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/grove-ml/grove/internal/sharedtest"
	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/internal/searchtest"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// TestFixtureCopies checks that testdata holds the shared fixture as it is.
func TestFixtureCopies(t *testing.T) {
	for _, name := range []string{"cases.json", "search.db"} {
		sharedtest.SameAsSource(t, filepath.Join("testdata", name), "fixtures/mlflow/search/"+name)
	}
}

// fixtureRuns reads every run of the fixture from a copy of search.db
// through the SQLite store.
func fixtureRuns(t *testing.T, f *searchtest.Fixture) []*store.Run {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, searchtest.CopyDB(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs []*store.Run
	for name, id := range f.Runs {
		r, err := db.GetRun(ctx, id)
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		runs = append(runs, r)
	}
	return runs
}

// fixtureStore is a memstore holding the fixture's experiments and runs.
func fixtureStore(t *testing.T, f *searchtest.Fixture) *memstore.Store {
	t.Helper()
	ctx := context.Background()
	m := memstore.New()
	names := make([]string, 0, len(f.Experiments))
	for name := range f.Experiments {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return compareIDs(f.Experiments[a], f.Experiments[b]) })
	for _, name := range names {
		id, err := m.CreateExperiment(ctx, name, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if id != f.Experiments[name] {
			t.Fatalf("experiment %s got id %s, MLflow's is %s", name, id, f.Experiments[name])
		}
	}
	if err := m.Restore(fixtureRuns(t, f)...); err != nil {
		t.Fatal(err)
	}
	return m
}

func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// TestFixtureMemstore answers every query of MLflow's search fixture from
// the in-memory store, whole and a few runs a page at a time.
func TestFixtureMemstore(t *testing.T) {
	f := searchtest.Load(t)
	m := fixtureStore(t, f)
	t.Run("whole", func(t *testing.T) {
		f.Check(t, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			runs, next, err := m.SearchRuns(ctx, q)
			if next != "" {
				t.Errorf("a page of the default size has a next page token %q", next)
			}
			return runs, err
		})
	})
	t.Run("paged", func(t *testing.T) {
		f.Check(t, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			q.MaxResults = 5
			return store.AllRuns(ctx, m, q)
		})
	})
}

// TestFixtureViewTypes checks the view types the fixture's cases do not
// all ask for against the lifecycle stages in MLflow's database.
func TestFixtureViewTypes(t *testing.T) {
	f := searchtest.Load(t)
	m := fixtureStore(t, f)
	db := openFixtureDB(t)
	for _, vt := range []store.ViewType{0, store.ViewActiveOnly, store.ViewDeletedOnly, store.ViewAll} {
		t.Run(vt.String(), func(t *testing.T) {
			stages := map[store.ViewType]string{
				0: "'active'", store.ViewActiveOnly: "'active'", store.ViewDeletedOnly: "'deleted'", store.ViewAll: "'active', 'deleted'",
			}[vt]
			rows, err := db.Query(`SELECT run_uuid FROM runs WHERE experiment_id IN (1, 2) AND lifecycle_stage IN (` + stages + `) ORDER BY start_time DESC, run_uuid`)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			runs, err := store.AllRuns(context.Background(), m, store.RunQuery{ExperimentIDs: []string{"1", "2"}, ViewType: vt, MaxResults: 4})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range runs {
				got = append(got, r.Info.RunID)
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("got %q\nwant %q", got, want)
			}
		})
	}
}
