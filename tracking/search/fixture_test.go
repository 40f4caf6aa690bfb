package search_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// fixture is MLflow's search fixture (../shared/fixtures/mlflow/search):
// a store MLflow wrote (search.db) and the queries asked of it, with the
// runs MLflow returned, in order, or the error it raised.
type fixture struct {
	Experiments map[string]string `json:"experiments"` // name -> id
	Runs        map[string]string `json:"runs"`        // run name -> id
	Cases       []fixtureCase     `json:"cases"`
}

type fixtureCase struct {
	ID          string   `json:"id"`
	Filter      string   `json:"filter"`
	OrderBy     []string `json:"order_by"`
	ViewType    string   `json:"run_view_type"`
	Experiments []string `json:"experiments"`
	Expect      []string `json:"expect"` // run names
	ErrorCode   string   `json:"error_code"`
	Message     string   `json:"message"`
}

// sharedDir returns ../shared/fixtures/mlflow/search beside the module
// root, or "" when a clone has none.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "fixtures", "mlflow", "search")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// TestFixtureCopies checks that testdata holds the shared fixture as it is.
func TestFixtureCopies(t *testing.T) {
	src := sharedDir(t)
	if src == "" {
		t.Skip("../shared/fixtures/mlflow/search not present: testdata copies not checked")
	}
	for _, name := range []string{"cases.json", "search.db"} {
		want, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from %s; copy it again", name, filepath.Join(src, name))
		}
	}
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/cases.json")
	}
	return &f
}

// fixtureRuns reads every run of the fixture from a copy of search.db
// through the SQLite store.
func fixtureRuns(t *testing.T, f *fixture) []*store.Run {
	t.Helper()
	ctx := context.Background()
	b, err := os.ReadFile("testdata/search.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "search.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{})
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
func fixtureStore(t *testing.T, f *fixture) *memstore.Store {
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

// searcher runs one fixture case against a store, the whole result or an
// error.
type searcher func(ctx context.Context, q store.RunQuery) ([]*store.Run, error)

// checkCases runs every fixture case through search and compares the runs,
// in order, or the error with MLflow's.
func checkCases(t *testing.T, f *fixture, search searcher) {
	t.Helper()
	names := map[string]string{}
	for name, id := range f.Runs {
		names[id] = name
	}
	for _, c := range f.Cases {
		t.Run(c.ID, func(t *testing.T) {
			vt, err := store.ParseViewType(c.ViewType)
			if err != nil {
				t.Fatal(err)
			}
			q := store.RunQuery{Filter: c.Filter, OrderBy: c.OrderBy, ViewType: vt}
			for _, e := range c.Experiments {
				q.ExperimentIDs = append(q.ExperimentIDs, f.Experiments[e])
			}
			runs, err := search(context.Background(), q)
			if c.ErrorCode != "" {
				var se *store.Error
				if !errors.As(err, &se) {
					t.Fatalf("filter %q order %q: got %v, %d runs; want %s: %s", c.Filter, c.OrderBy, err, len(runs), c.ErrorCode, c.Message)
				}
				if se.Code != c.ErrorCode || se.Message != c.Message {
					t.Fatalf("filter %q order %q:\n got %s: %s\nwant %s: %s", c.Filter, c.OrderBy, se.Code, se.Message, c.ErrorCode, c.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("filter %q order %q: %v", c.Filter, c.OrderBy, err)
			}
			got := make([]string, len(runs))
			for i, r := range runs {
				got[i] = names[r.Info.RunID]
			}
			if !slices.Equal(got, c.Expect) {
				t.Fatalf("filter %q order %q:\n got %q\nwant %q", c.Filter, c.OrderBy, got, c.Expect)
			}
		})
	}
}

// TestFixtureMemstore answers every query of MLflow's search fixture from
// the in-memory store, whole and a few runs a page at a time.
func TestFixtureMemstore(t *testing.T) {
	f := loadFixture(t)
	m := fixtureStore(t, f)
	t.Run("whole", func(t *testing.T) {
		checkCases(t, f, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			runs, next, err := m.SearchRuns(ctx, q)
			if next != "" {
				t.Errorf("a page of the default size has a next page token %q", next)
			}
			return runs, err
		})
	})
	t.Run("paged", func(t *testing.T) {
		checkCases(t, f, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
			q.MaxResults = 5
			return store.AllRuns(ctx, m, q)
		})
	})
}

// TestFixtureViewTypes checks the view types the fixture's cases do not
// all ask for against the lifecycle stages in MLflow's database.
func TestFixtureViewTypes(t *testing.T) {
	f := loadFixture(t)
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
