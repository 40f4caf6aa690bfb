package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/searchtest"
	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"

	_ "modernc.org/sqlite"
)

// openFixtureDB opens a copy of MLflow's search.db directly, read-only.
func openFixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+searchtest.CopyDB(t)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sqlSearch answers a run query with one SELECT over MLflow's tables.
func sqlSearch(db *sql.DB, q store.RunQuery) ([]string, error) {
	query, err := search.ParseQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, err
	}
	r := query.SQLite("r")
	var stages []string
	for _, s := range []string{store.LifecycleActive, store.LifecycleDeleted} {
		if q.ViewType.Sees(s) {
			stages = append(stages, "'"+s+"'")
		}
	}
	text := fmt.Sprintf(`SELECT r.run_uuid FROM runs AS r WHERE r.experiment_id IN (%s) AND r.lifecycle_stage IN (%s) AND (%s) ORDER BY %s`,
		strings.Join(q.ExperimentIDs, ", "), strings.Join(stages, ", "), r.Where, r.OrderBy)
	rows, err := db.QueryContext(context.Background(), text, append(r.WhereArgs, r.OrderArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", text, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// TestFixtureSQL answers every query of MLflow's search fixture with the
// SQL a Query renders, run on MLflow's own database.
func TestFixtureSQL(t *testing.T) {
	f := searchtest.Load(t)
	db := openFixtureDB(t)
	f.Check(t, func(_ context.Context, q store.RunQuery) ([]*store.Run, error) {
		ids, err := sqlSearch(db, q)
		runs := make([]*store.Run, len(ids))
		for i, id := range ids {
			runs[i] = &store.Run{Info: store.RunInfo{RunID: id}}
		}
		return runs, err
	})
}

// TestSQLAgreesWithMatch runs random queries over the fixture's runs both
// as SQL on MLflow's database and through Match and Sort on the runs read
// back from it: the two must select and order the same runs.
func TestSQLAgreesWithMatch(t *testing.T) {
	f := searchtest.Load(t)
	t.Run("fixture", func(t *testing.T) {
		agree(t, openFixtureDB(t), fixtureRuns(t, f), []string{"1", "2"})
	})
	t.Run("edges", func(t *testing.T) {
		db, runs, exp := edgeDB(t)
		agree(t, db, runs, []string{exp})
	})
}

// edgeDB records searchtest.EdgeRuns through the SQLite store, and opens
// the database for SQL.
func edgeDB(t *testing.T) (*sql.DB, []*store.Run, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mlflow.db")
	st, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exp, ids := searchtest.EdgeRuns(t, st)
	var runs []*store.Run
	for _, id := range ids {
		r, err := st.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, runs, exp
}

func agree(t *testing.T, db *sql.DB, all []*store.Run, experiments []string) {
	ran := 0
	for _, q := range searchtest.RandomQueries(1, 600) {
		q.ExperimentIDs, q.ViewType = experiments, store.ViewAll
		query, err := search.ParseQuery(q.Filter, q.OrderBy)
		if err != nil {
			continue // duplicate order keys
		}
		ran++
		want, err := sqlSearch(db, q)
		if err != nil {
			t.Fatal(err)
		}
		var kept []*store.Run
		for _, r := range all {
			if query.Match(r) {
				kept = append(kept, r)
			}
		}
		query.Sort(kept)
		got := make([]string, len(kept))
		for i, r := range kept {
			got[i] = r.Info.RunID
		}
		if !slices.Equal(got, want) {
			t.Fatalf("filter %q order %q:\nMatch and Sort %q\n           SQL %q", q.Filter, q.OrderBy, got, want)
		}
	}
	if ran < 400 {
		t.Fatalf("only %d of 600 random queries parsed", ran)
	}
}

// TestExperimentSQLAgreesWithMatch runs experiment searches both as SQL on
// a database the SQLite store wrote and through Match and Sort.
func TestExperimentSQLAgreesWithMatch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mlflow.db")
	st, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"iris", "Iris big", "iris_small", "wine", "a*b", "a?b", "Résumé"} {
		id, err := st.CreateExperiment(ctx, name, "", []store.Tag{{Key: "team", Value: []string{"a", "b", "A"}[i%3]}})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := st.SetExperimentTag(ctx, id, "stage", name); err != nil {
				t.Fatal(err)
			}
		}
	}
	var exps []*store.Experiment
	for i := range 8 {
		e, err := st.GetExperiment(ctx, strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		exps = append(exps, e)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		filter  string
		orderBy []string
	}{
		{"", nil},
		{"name LIKE 'iris%'", []string{"name DESC"}},
		{"name ILIKE 'iris%'", []string{"name"}},
		{"name LIKE 'a?b'", nil},
		{"name LIKE 'a_b'", nil},
		{"name != 'wine' and tags.team = 'a'", []string{"experiment_id DESC"}},
		{"tags.stage IS NULL", []string{"creation_time"}},
		{"tags.stage IS NOT NULL and tags.team ILIKE 'A'", nil},
		{"creation_time > 0 and last_update_time >= 0 and name != 'wine'", []string{"last_update_time DESC", "name"}},
		{"tags.stage LIKE '%i%'", nil},
	}
	for _, tt := range tests {
		q, err := search.ParseExperimentQuery(tt.filter, tt.orderBy)
		if err != nil {
			t.Fatalf("%q: %v", tt.filter, err)
		}
		s := q.SQLite("e")
		rows, err := db.Query("SELECT e.experiment_id FROM experiments AS e WHERE "+s.Where+" ORDER BY "+s.OrderBy, append(s.WhereArgs, s.OrderArgs...)...)
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
		var kept []*store.Experiment
		for _, e := range exps {
			if q.Match(e) {
				kept = append(kept, e)
			}
		}
		q.Sort(kept)
		var got []string
		for _, e := range kept {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q %q: Match and Sort %q, SQL %q", tt.filter, tt.orderBy, got, want)
		}
		if tt.filter != "" && (len(got) == 0 || len(got) == len(exps)) {
			t.Errorf("%q selects %d of %d experiments: a weak test", tt.filter, len(got), len(exps))
		}
	}
}
