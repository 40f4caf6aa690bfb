package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// columnTypes returns, per column of table, the set of SQLite storage
// classes its rows hold ("integer", "real", "text", "null").
func columnTypes(t *testing.T, db *sql.DB, table string) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	rows.Close()
	out := map[string]string{}
	for _, c := range cols {
		r, err := db.Query(fmt.Sprintf(`SELECT DISTINCT typeof("%s") FROM "%s" ORDER BY 1`, c, table))
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for r.Next() {
			var ty string
			r.Scan(&ty)
			types = append(types, ty)
		}
		r.Close()
		out[c] = strings.Join(types, ",")
	}
	return out
}

// TestStorageClassesMatchMLflow logs what the golden run holds and checks
// that every column grove writes holds the same kind of SQLite value as in
// the database the real MLflow wrote: MLflow's models read integers,
// reals, text and NULLs differently.
func TestStorageClassesMatchMLflow(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	expID, err := s.CreateExperiment(ctx, "golden", "", []store.Tag{{Key: "team", Value: "gotrain"}})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string, status store.RunStatus) string {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, UserID: "golden", RunName: name, StartTime: 1767225600000,
			Tags: []store.Tag{{Key: "mlflow.user", Value: "golden"}, {Key: "mlflow.source.name", Value: "train.go"}}})
		if err != nil {
			t.Fatal(err)
		}
		id := r.Info.RunID
		if err := s.LogBatch(ctx, id, []store.Metric{{Key: "loss", Value: 1, Timestamp: 1767225601000}, {Key: "loss", Value: 0.5, Timestamp: 1767225602000, Step: 1}},
			[]store.Param{{Key: "n_estimators", Value: "10"}}, []store.Tag{{Key: "dataset", Value: "iris"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateRun(ctx, id, status, 1767225609000, ""); err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := mk("rf-finished", store.StatusFinished)
	mk("rf-failed", store.StatusFailed)
	m, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: expID, Name: "model", ModelType: "classifier", SourceRunID: id,
		Params: []store.Param{{Key: "n_estimators", Value: "10"}}, Tags: []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinalizeLoggedModel(ctx, m.ModelID, store.ModelReady); err != nil {
		t.Fatal(err)
	}
	if err := s.LogOutputs(ctx, id, []store.ModelIO{{ModelID: m.ModelID}}); err != nil {
		t.Fatal(err)
	}

	golden, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join("testdata", "golden.db"))+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer golden.Close()
	for _, table := range []string{"alembic_version", "workspaces", "experiments", "experiment_tags", "runs", "tags", "params", "metrics", "latest_metrics", "inputs", "logged_models", "logged_model_params", "logged_model_tags"} {
		want, got := columnTypes(t, golden, table), columnTypes(t, sqlDB(t, s), table)
		for col, w := range want {
			if got[col] != w {
				t.Errorf("%s.%s holds %s, MLflow wrote %s", table, col, got[col], w)
			}
		}
	}
}

func TestGroupByKey(t *testing.T) {
	in := []store.Metric{{Key: "b", Step: 0}, {Key: "a", Step: 1}, {Key: "b", Step: 2}, {Key: "c", Step: 3}, {Key: "a", Step: 4}, {Key: "b", Step: 5}}
	want := slices.Clone(in)
	slices.SortStableFunc(want, func(x, y store.Metric) int { return strings.Compare(x.Key, y.Key) })
	if got := groupByKey(in); !slices.Equal(got, want) {
		t.Errorf("groupByKey = %v, want %v", got, want)
	}
	if got := groupByKey(nil); len(got) != 0 {
		t.Errorf("groupByKey(nil) = %v", got)
	}
}
