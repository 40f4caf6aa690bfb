package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "mlflow.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newRun(t testing.TB, s *Store, name string) *store.Run {
	t.Helper()
	ctx := context.Background()
	expID, err := s.CreateExperiment(ctx, "exp-"+name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, UserID: "tester", RunName: name, StartTime: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestExperiments(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id, err := s.CreateExperiment(ctx, "iris", "", []store.Tag{{Key: "team", Value: "grove"}})
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" {
		t.Errorf("first experiment id %s, want 1", id)
	}
	e, err := s.GetExperimentByName(ctx, "iris")
	if err != nil {
		t.Fatal(err)
	}
	wantLoc := s.ArtifactRoot() + "/1"
	if e.ID != "1" || e.ArtifactLocation != wantLoc || e.LifecycleStage != "active" || e.Tags["team"] != "grove" || e.CreationTime == 0 {
		t.Errorf("experiment = %+v", e)
	}
	if !filepath.IsAbs(e.ArtifactLocation) {
		t.Errorf("artifact location %s is not absolute", e.ArtifactLocation)
	}
	if _, err := s.CreateExperiment(ctx, "iris", "", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("duplicate experiment: %v", err)
	}
	id2, err := s.CreateExperiment(ctx, "elsewhere", "rel/arts", nil)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := s.GetExperiment(ctx, id2)
	if id2 != "2" || !filepath.IsAbs(e2.ArtifactLocation) || !strings.HasSuffix(e2.ArtifactLocation, "rel/arts") {
		t.Errorf("experiment 2 = %+v", e2)
	}
	if err := s.SetExperimentTag(ctx, id, "team", "forest"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetExperimentTag(ctx, id, "mlflow.note.content", "notes"); err != nil {
		t.Fatal(err)
	}
	e, _ = s.GetExperiment(ctx, id)
	if len(e.Tags) != 2 || e.Tags["team"] != "forest" {
		t.Errorf("tags = %v", e.Tags)
	}
	d, err := s.GetExperiment(ctx, "0")
	if err != nil || d.Name != "Default" {
		t.Errorf("Default experiment: %+v %v", d, err)
	}
	for _, bad := range []struct {
		name string
		err  error
	}{
		{"missing id", func() error { _, err := s.GetExperiment(ctx, "99"); return err }()},
		{"missing name", func() error { _, err := s.GetExperimentByName(ctx, "nope"); return err }()},
		{"tag of missing", s.SetExperimentTag(ctx, "99", "k", "v")},
	} {
		if !errors.Is(bad.err, store.ErrNotFound) {
			t.Errorf("%s: %v, want not found", bad.name, bad.err)
		}
	}
	for _, bad := range []error{
		func() error { _, err := s.GetExperiment(ctx, "abc"); return err }(),
		func() error { _, err := s.CreateExperiment(ctx, "", "", nil); return err }(),
		s.SetExperimentTag(ctx, id, "", "v"),
		s.SetExperimentTag(ctx, id, "k", strings.Repeat("v", 5001)),
		func() error { _, err := s.CreateExperiment(ctx, strings.Repeat("n", 501), "", nil); return err }(),
	} {
		if !errors.Is(bad, store.ErrInvalidParameter) {
			t.Errorf("got %v, want invalid parameter", bad)
		}
	}
}

var generated = regexp.MustCompile(`^[a-z]+-[a-z]+-\d{1,3}$`)

func TestRuns(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	expID, _ := s.CreateExperiment(ctx, "runs", "", nil)

	r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, UserID: "ana", Tags: []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(r.Info.RunID) {
		t.Errorf("run id %q", r.Info.RunID)
	}
	if !generated.MatchString(r.Info.RunName) || len(r.Info.RunName) > 20 {
		t.Errorf("generated name %q", r.Info.RunName)
	}
	e, _ := s.GetExperiment(ctx, expID)
	if want := e.ArtifactLocation + "/" + r.Info.RunID + "/artifacts"; r.Info.ArtifactURI != want {
		t.Errorf("artifact uri %s, want %s", r.Info.ArtifactURI, want)
	}
	got, err := s.GetRun(ctx, r.Info.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Info != r.Info || got.Info.Status != store.StatusRunning || got.Info.StartTime == 0 || got.Info.EndTime != 0 {
		t.Errorf("GetRun info %+v, CreateRun gave %+v", got.Info, r.Info)
	}
	if name, _ := got.Tag("mlflow.runName"); name != r.Info.RunName {
		t.Errorf("mlflow.runName tag %q, run name %q", name, r.Info.RunName)
	}
	if src, _ := got.Tag("mlflow.source.name"); src != "train.go" {
		t.Errorf("source tag %q", src)
	}
	// The row as MLflow writes it.
	var st, sn, ep, sv string
	var end sql.NullInt64
	s.db.QueryRow(`SELECT source_type, source_name, entry_point_name, source_version, end_time FROM runs WHERE run_uuid = ?`, r.Info.RunID).Scan(&st, &sn, &ep, &sv, &end)
	if st != "UNKNOWN" || sn != "" || ep != "" || sv != "" || end.Valid {
		t.Errorf("run row: %q %q %q %q %v", st, sn, ep, sv, end)
	}

	// Name from the tag; a request name and a different tag conflict.
	r2, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, Tags: []store.Tag{{Key: "mlflow.runName", Value: "from-tag"}}})
	if err != nil || r2.Info.RunName != "from-tag" {
		t.Errorf("name from tag: %+v %v", r2, err)
	}
	if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: "a", Tags: []store.Tag{{Key: "mlflow.runName", Value: "b"}}}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("conflicting names: %v", err)
	}
	if _, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "42"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("run in missing experiment: %v", err)
	}

	info, err := s.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, 5000, "renamed")
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != store.StatusFinished || info.EndTime != 5000 || info.RunName != "renamed" {
		t.Errorf("updated info %+v", info)
	}
	got, _ = s.GetRun(ctx, r.Info.RunID)
	if name, _ := got.Tag("mlflow.runName"); name != "renamed" {
		t.Errorf("tag after rename %q", name)
	}
	if _, err := s.UpdateRun(ctx, r.Info.RunID, "DONE", 0, ""); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("bad status: %v", err)
	}
	if _, err := s.UpdateRun(ctx, "0123", store.StatusFailed, 0, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	if _, err := s.GetRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	// Renaming through the tag renames the run too.
	if err := s.LogBatch(ctx, r2.Info.RunID, nil, nil, []store.Tag{{Key: "mlflow.runName", Value: "via-tag"}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetRun(ctx, r2.Info.RunID)
	if got.Info.RunName != "via-tag" {
		t.Errorf("run name after tag %q", got.Info.RunName)
	}
}

func TestParamsImmutable(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "params")
	id := r.Info.RunID
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "max_depth", Value: "3"}, {Key: "criterion", Value: "gini"}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "max_depth", Value: "3"}}, nil); err != nil {
		t.Errorf("same value again: %v", err)
	}
	err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "n_estimators", Value: "10"}, {Key: "max_depth", Value: "5"}}, nil)
	if !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("changed value: %v", err)
	}
	for _, w := range []string{"max_depth", `"3"`, `"5"`, id} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %s", err, w)
		}
	}
	got, _ := s.GetRun(ctx, id)
	if v, _ := got.Param("max_depth"); v != "3" {
		t.Errorf("max_depth = %q after refused change", v)
	}
	if _, ok := got.Param("n_estimators"); ok {
		t.Error("a refused batch was partly written")
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("duplicate key in one batch: %v", err)
	}
	if err := s.LogBatch(ctx, id, nil, []store.Param{{Key: "big", Value: strings.Repeat("x", store.MaxParamValueLength+1)}}, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("too long value: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "metrics")
	id := r.Info.RunID
	log := func(ms ...store.Metric) {
		t.Helper()
		if err := s.LogBatch(ctx, id, ms, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	log(store.Metric{Key: "loss", Value: 1, Timestamp: 10, Step: 0},
		store.Metric{Key: "loss", Value: 0.5, Timestamp: 11, Step: 1},
		store.Metric{Key: "loss", Value: 0.25, Timestamp: 12, Step: 2})
	// An older step logged later does not become the latest point.
	log(store.Metric{Key: "loss", Value: 9, Timestamp: 99, Step: 1})
	// Same step, later timestamp wins; same step and timestamp, larger value.
	log(store.Metric{Key: "acc", Value: 0.7, Timestamp: 20, Step: 3}, store.Metric{Key: "acc", Value: 0.6, Timestamp: 21, Step: 3})
	log(store.Metric{Key: "acc", Value: 0.9, Timestamp: 21, Step: 3}, store.Metric{Key: "acc", Value: 0.8, Timestamp: 21, Step: 3})
	// A point logged twice is kept once.
	log(store.Metric{Key: "loss", Value: 0.25, Timestamp: 12, Step: 2})
	// NaN and infinities, stored as MLflow stores them.
	log(store.Metric{Key: "odd", Value: math.Inf(1), Timestamp: 1, Step: 0},
		store.Metric{Key: "odd", Value: math.Inf(-1), Timestamp: 2, Step: 1},
		store.Metric{Key: "odd", Value: math.NaN(), Timestamp: 3, Step: 2})

	run, _ := s.GetRun(ctx, id)
	want := map[string]store.Metric{
		"loss": {Key: "loss", Value: 0.25, Timestamp: 12, Step: 2},
		"acc":  {Key: "acc", Value: 0.9, Timestamp: 21, Step: 3},
	}
	for k, w := range want {
		if m, ok := run.Metric(k); !ok || m != w {
			t.Errorf("latest %s = %+v, want %+v", k, m, w)
		}
	}
	if m, _ := run.Metric("odd"); !math.IsNaN(m.Value) || m.Step != 2 {
		t.Errorf("latest odd = %+v, want NaN at step 2", m)
	}
	h, err := s.GetMetricHistory(ctx, id, "loss")
	if err != nil {
		t.Fatal(err)
	}
	wantH := []store.Metric{{Key: "loss", Value: 1, Timestamp: 10}, {Key: "loss", Value: 0.5, Timestamp: 11, Step: 1}, {Key: "loss", Value: 9, Timestamp: 99, Step: 1}, {Key: "loss", Value: 0.25, Timestamp: 12, Step: 2}}
	if fmt.Sprint(h) != fmt.Sprint(wantH) {
		t.Errorf("history %v, want %v", h, wantH)
	}
	h, _ = s.GetMetricHistory(ctx, id, "odd")
	if len(h) != 3 || h[0].Value != math.MaxFloat64 || h[1].Value != -math.MaxFloat64 || !math.IsNaN(h[2].Value) {
		t.Errorf("odd history %v", h)
	}
	rows, _ := s.db.Query(`SELECT value, is_nan FROM metrics WHERE run_uuid = ? AND "key" = 'odd' ORDER BY step`, id)
	var stored []string
	for rows.Next() {
		var v float64
		var n int
		rows.Scan(&v, &n)
		stored = append(stored, fmt.Sprint(v, n))
	}
	rows.Close()
	if fmt.Sprint(stored) != "[1.7976931348623157e+308 0 -1.7976931348623157e+308 0 0 1]" {
		t.Errorf("stored odd rows %v", stored)
	}
	if h, err := s.GetMetricHistory(ctx, id, "none"); err != nil || len(h) != 0 {
		t.Errorf("missing metric: %v %v", h, err)
	}
	if _, err := s.GetMetricHistory(ctx, "nope", "loss"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
	many := make([]store.Metric, store.MaxBatchMetrics+1)
	for i := range many {
		many[i] = store.Metric{Key: "m", Value: float64(i), Step: int64(i)}
	}
	if err := s.LogBatch(ctx, id, many, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("too many metrics: %v", err)
	}
	if err := s.LogBatch(ctx, id, many[:store.MaxBatchMetrics], nil, nil); err != nil {
		t.Errorf("a full batch: %v", err)
	}
	if h, _ := s.GetMetricHistory(ctx, id, "m"); len(h) != store.MaxBatchMetrics {
		t.Errorf("history of a full batch has %d points", len(h))
	}
	// A whole batch has no limit on its size, only on its keys and values.
	if err := s.LogWholeBatch(ctx, id, many, nil, nil); err != nil {
		t.Errorf("a whole batch over MLflow's limit: %v", err)
	}
	if h, _ := s.GetMetricHistory(ctx, id, "m"); len(h) != store.MaxBatchMetrics+1 {
		t.Errorf("after the whole batch, history has %d points", len(h))
	}
	if err := s.LogWholeBatch(ctx, id, []store.Metric{{Key: strings.Repeat("k", 251)}}, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("long key in a whole batch: %v", err)
	}
	if err := s.LogBatch(ctx, id, []store.Metric{{Key: strings.Repeat("k", 251)}}, nil, nil); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("long key: %v", err)
	}
	if _, err := s.UpdateRun(ctx, id, store.StatusFinished, 50, ""); err != nil {
		t.Fatal(err)
	}
	// A finished run still takes metrics, as in MLflow; a missing run does not.
	if err := s.LogBatch(ctx, "missing", []store.Metric{{Key: "x"}}, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing run: %v", err)
	}
}

func TestInputsOutputsModels(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "models")
	id := r.Info.RunID
	ds := store.DatasetInput{
		Dataset: store.Dataset{Name: "dataset", Digest: "0d103372", SourceType: "code", Source: `{"tags": {}}`,
			Schema: `{"mlflow_colspec": []}`, Profile: `{"num_rows": 105, "num_elements": 420}`},
		Tags: []store.Tag{{Key: "mlflow.data.context", Value: "train"}},
	}
	if err := s.LogInputs(ctx, id, []store.DatasetInput{ds, ds}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.LogInputs(ctx, id, []store.DatasetInput{ds}, nil); err != nil {
		t.Fatal(err)
	}
	long := ds
	long.Dataset.Digest = strings.Repeat("f", 37)
	noTagKey := ds
	noTagKey.Tags = []store.Tag{{Value: "train"}}
	for _, bad := range []store.DatasetInput{{}, long, noTagKey} {
		if err := s.LogInputs(ctx, id, []store.DatasetInput{bad}, nil); !errors.Is(err, store.ErrInvalidParameter) {
			t.Errorf("LogInputs(%+v): %v", bad.Dataset, err)
		}
	}
	var nds, nin int
	s.db.QueryRow(`SELECT count(*) FROM datasets`).Scan(&nds)
	s.db.QueryRow(`SELECT count(*) FROM inputs WHERE source_type = 'DATASET'`).Scan(&nin)
	if nds != 1 || nin != 1 {
		t.Errorf("%d datasets and %d inputs after logging one dataset three times", nds, nin)
	}

	m, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: r.Info.ExperimentID, Name: "model", ModelType: "classifier", SourceRunID: id,
		Params: []store.Param{{Key: "n_estimators", Value: "10"}}, Tags: []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^m-[0-9a-f]{32}$`).MatchString(m.ModelID) || m.Status != store.ModelPending {
		t.Errorf("model %+v", m)
	}
	e, _ := s.GetExperiment(ctx, r.Info.ExperimentID)
	if want := e.ArtifactLocation + "/models/" + m.ModelID + "/artifacts"; m.ArtifactLocation != want {
		t.Errorf("model artifact location %s, want %s", m.ArtifactLocation, want)
	}
	if err := s.LogOutputs(ctx, id, []store.ModelIO{{ModelID: m.ModelID}}); err != nil {
		t.Fatal(err)
	}
	if err := s.LogInputs(ctx, id, nil, []store.ModelIO{{ModelID: m.ModelID}}); err != nil {
		t.Fatal(err)
	}
	err = s.LogBatch(ctx, id, []store.Metric{
		{Key: "training_accuracy_score", Value: 0.97, Timestamp: 5, ModelID: m.ModelID, DatasetName: "dataset", DatasetDigest: "0d103372"},
		{Key: "RandomForestClassifier_score_Xte", Value: 0.93, Timestamp: 6, ModelID: m.ModelID},
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LogBatch(ctx, id, []store.Metric{{Key: "x", ModelID: "m-00000000000000000000000000000000"}}, nil, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("metric of a missing model: %v", err)
	}
	fin, err := s.FinalizeLoggedModel(ctx, m.ModelID, store.ModelReady)
	if err != nil {
		t.Fatal(err)
	}
	if fin.Status != store.ModelReady || fin.LastUpdatedTime < fin.CreationTime || len(fin.Metrics) != 2 {
		t.Errorf("finalized %+v", fin)
	}
	got, err := s.GetLoggedModel(ctx, m.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "model" || got.ModelType != "classifier" || got.SourceRunID != id || len(got.Params) != 1 || len(got.Tags) != 1 {
		t.Errorf("logged model %+v", got)
	}
	var xte store.Metric
	for _, mt := range got.Metrics {
		if mt.Key == "RandomForestClassifier_score_Xte" {
			xte = mt
		}
	}
	if xte.Value != 0.93 || xte.DatasetName != "" {
		t.Errorf("model metric %+v", xte)
	}
	var dn sql.NullString
	s.db.QueryRow(`SELECT dataset_name FROM logged_model_metrics WHERE metric_name = 'RandomForestClassifier_score_Xte'`).Scan(&dn)
	if dn.Valid {
		t.Error("empty dataset name stored as a string, MLflow stores NULL")
	}
	// The run->model link, exactly as the fixtures show it.
	var st, dt string
	var step int64
	s.db.QueryRow(`SELECT source_type, destination_type, step FROM inputs WHERE source_id = ? AND destination_id = ? AND source_type = 'RUN_OUTPUT'`, id, m.ModelID).Scan(&st, &dt, &step)
	if st != "RUN_OUTPUT" || dt != "MODEL_OUTPUT" || step != 0 {
		t.Errorf("output link %s -> %s step %d", st, dt, step)
	}
	run, _ := s.GetRun(ctx, id)
	if len(run.Inputs.Datasets) != 1 || run.Inputs.Datasets[0].Dataset != ds.Dataset || fmt.Sprint(run.Inputs.Datasets[0].Tags) != fmt.Sprint(ds.Tags) {
		t.Errorf("dataset inputs %+v", run.Inputs.Datasets)
	}
	if fmt.Sprint(run.Outputs.Models) != fmt.Sprint([]store.ModelIO{{ModelID: m.ModelID}}) || fmt.Sprint(run.Inputs.Models) != fmt.Sprint([]store.ModelIO{{ModelID: m.ModelID}}) {
		t.Errorf("model links: in %v out %v", run.Inputs.Models, run.Outputs.Models)
	}
	if _, err := s.GetLoggedModel(ctx, "m-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing model: %v", err)
	}
	if _, err := s.FinalizeLoggedModel(ctx, "m-missing", store.ModelReady); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finalize missing model: %v", err)
	}
	if _, err := s.FinalizeLoggedModel(ctx, m.ModelID, 7); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("bad model status: %v", err)
	}
	unnamed, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: r.Info.ExperimentID})
	if err != nil || !generated.MatchString(unnamed.Name) {
		t.Errorf("unnamed model %+v %v", unnamed, err)
	}
}

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

func TestArtifacts(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRun(t, s, "arts")
	repo, err := s.Artifacts(ctx, r.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Put(ctx, "charts/loss.html", strings.NewReader("<html>")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.FromSlash(r.Info.ArtifactURI), "charts", "loss.html")); err != nil {
		t.Errorf("artifact not where MLflow looks: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(s.Path()), "mlruns", r.Info.ExperimentID, r.Info.RunID, "artifacts", "charts", "loss.html")); err != nil {
		t.Errorf("artifact not under mlruns beside the database: %v", err)
	}
	if _, err := s.Artifacts(ctx, "file://"+r.Info.ArtifactURI); err != nil {
		t.Errorf("file URI: %v", err)
	}
	for _, uri := range []string{"", "s3://bucket/x", "mlflow-artifacts:/1/x"} {
		if _, err := s.Artifacts(ctx, uri); err == nil {
			t.Errorf("Artifacts(%q) succeeded", uri)
		}
	}
}

func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	refusedUntouched := func(name, path, want string) {
		t.Helper()
		before, _ := os.ReadFile(path)
		_, err := Open(ctx, path, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Open error %v, want one mentioning %q", name, err, want)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s: file changed", name)
		}
		for _, ext := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + ext); err == nil {
				t.Errorf("%s: left %s behind", name, ext)
			}
		}
	}
	refusedUntouched("text", write("notes.db", []byte("just some notes, not a database\n")), "not an SQLite database")

	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", "file:"+other)
	db.Exec(`CREATE TABLE people (name TEXT)`)
	db.Close()
	refusedUntouched("foreign sqlite", other, "not an MLflow database")

	old := filepath.Join(dir, "old.db")
	db, _ = sql.Open("sqlite", "file:"+old)
	db.Exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)`)
	db.Exec(`INSERT INTO alembic_version VALUES ('451aebb31d03')`)
	db.Exec(`CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT)`)
	db.Exec(`CREATE TABLE runs (run_uuid TEXT)`)
	db.Close()
	refusedUntouched("old mlflow", old, "mlflow db upgrade")

	if _, err := Open(ctx, dir, Options{}); err == nil {
		t.Error("Open of a folder succeeded")
	}
	if _, err := Open(ctx, filepath.Join(dir, "missing", "x.db"), Options{}); err == nil {
		t.Error("Open in a missing folder succeeded")
	}

	// An empty file is a new database, as for MLflow.
	empty := write("empty.db", nil)
	s, err := Open(ctx, empty, Options{ArtifactRoot: "file:///srv/arts"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.GetExperiment(ctx, "0")
	if e.ArtifactLocation != "file:///srv/arts/0" {
		t.Errorf("Default artifact location %s", e.ArtifactLocation)
	}
	s.Close()

	// A database a newer MLflow upgraded: an extra column and table do not
	// stop grove, whose inserts name their columns.
	newer := filepath.Join(dir, "newer.db")
	s, err = Open(ctx, newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec(`ALTER TABLE runs ADD COLUMN future_col TEXT NOT NULL DEFAULT 'x'`)
	s.db.Exec(`CREATE TABLE future_table (id INTEGER)`)
	s.db.Exec(`UPDATE alembic_version SET version_num = 'ffffffffffff'`)
	s.Close()
	s, err = Open(ctx, newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SchemaRevision() != "ffffffffffff" {
		t.Errorf("revision %s; grove must not restamp", s.SchemaRevision())
	}
	r := newRun(t, s, "future")
	if err := s.LogBatch(ctx, r.Info.RunID, []store.Metric{{Key: "m", Value: 1}}, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestSearchRunsPagesWhileWriting pages through runs that tie on start time
// while other connections add and delete runs between pages: the listing
// must stay in (start time desc, run id) order without gaps or repeats, as
// if each page were read from scratch, whether or not the order of the
// previous page could be reused.
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
	deleted := all[20].Info.RunID
	var listed []store.RunInfo
	var newest, oldest string
	tok := ""
	for page := 0; ; page++ {
		runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: 4, PageToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			listed = append(listed, r.Info)
		}
		switch page {
		case 2: // a run that sorts before this page, and one after it
			r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 5000})
			if err != nil {
				t.Fatal(err)
			}
			newest = r.Info.RunID
			if r, err = s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 1}); err != nil {
				t.Fatal(err)
			}
			oldest = r.Info.RunID
		case 3: // as mlflow ui deletes a run
			if _, err := s.db.ExecContext(ctx, `UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_uuid = ?`, deleted); err != nil {
				t.Fatal(err)
			}
		}
		if next == "" {
			break
		}
		tok = next
	}
	seen := map[string]bool{}
	for i, r := range listed {
		if seen[r.RunID] {
			t.Errorf("run %s listed twice", r.RunID)
		}
		seen[r.RunID] = true
		if i > 0 && !before(listed[i-1], r) {
			t.Errorf("listed runs %d and %d out of order", i-1, i)
		}
	}
	for _, r := range all {
		if id := r.Info.RunID; !seen[id] && id != deleted {
			t.Errorf("run %s missing", id)
		}
	}
	if seen[deleted] || seen[newest] || !seen[oldest] {
		t.Errorf("deleted listed %v, newest listed %v, oldest listed %v; want false, false, true", seen[deleted], seen[newest], seen[oldest])
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
