package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

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
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM datasets`).Scan(&nds)
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM inputs WHERE source_type = 'DATASET'`).Scan(&nin)
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
	sqlDB(t, s).QueryRow(`SELECT dataset_name FROM logged_model_metrics WHERE metric_name = 'RandomForestClassifier_score_Xte'`).Scan(&dn)
	if dn.Valid {
		t.Error("empty dataset name stored as a string, MLflow stores NULL")
	}
	// The run->model link, exactly as the fixtures show it.
	var st, dt string
	var step int64
	sqlDB(t, s).QueryRow(`SELECT source_type, destination_type, step FROM inputs WHERE source_id = ? AND destination_id = ? AND source_type = 'RUN_OUTPUT'`, id, m.ModelID).Scan(&st, &dt, &step)
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
