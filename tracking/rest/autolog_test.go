package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// TestAutologShape logs a whole run the way MLflow's sklearn autolog does,
// with the values the real Python client sent (python-client-autolog.jsonl),
// and checks that grove sends the same requests in the same order: same
// endpoints, same query parameters, same JSON fields and values, same
// uploads. The one difference is deliberate: where the Python client logs
// its last metric with runs/log-metric, grove batches through
// runs/log-batch; that request must carry the same metric fields.
func TestAutologShape(t *testing.T) {
	xs := loadAutolog(t)
	if len(xs) != 25 {
		t.Fatalf("recording has %d requests, want 25", len(xs))
	}
	// The recorded requests are also the data to log: decode them.
	var (
		runReq struct {
			ExperimentID string    `json:"experiment_id"`
			StartTime    int64     `json:"start_time"`
			UserID       string    `json:"user_id"`
			Tags         []api.Tag `json:"tags"`
		}
		paramsReq struct {
			Params []api.Param `json:"params"`
			Tags   []api.Tag   `json:"tags"`
		}
		modelReq struct {
			Name   string      `json:"name"`
			Params []api.Param `json:"params"`
			Tags   []api.Tag   `json:"tags"`
		}
		inputsReq struct {
			Datasets []api.DatasetInput `json:"datasets"`
		}
		metricsReq struct {
			Metrics []api.Metric `json:"metrics"`
		}
		updateReq struct {
			EndTime int64 `json:"end_time"`
		}
		lastMetric api.Metric
	)
	for _, d := range []struct {
		seq int
		v   any
	}{{4, &runReq}, {5, &paramsReq}, {7, &modelReq}, {8, &inputsReq}, {21, &metricsReq}, {23, &updateReq}, {24, &lastMetric}} {
		must(t, json.Unmarshal(xs[d.seq-1].Request, d.v))
	}
	// grove logs the last metric through log-batch: expect that request.
	var lm map[string]any
	must(t, json.Unmarshal(xs[23].Request, &lm))
	runID := lm["run_id"].(string)
	delete(lm, "run_id")
	delete(lm, "run_uuid")
	want, _ := json.Marshal(map[string]any{"run_id": runID, "metrics": []any{lm}})
	xs[23].Path, xs[23].Request = epLogBatch, want

	rp := newReplayer(t, true, xs...)
	s := rp.store()
	ctx := context.Background()

	// 1-3: find or create the experiment.
	_, err := s.GetExperimentByName(ctx, "autolog-iris")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get-by-name: %v, want not found", err)
	}
	expID, err := s.CreateExperiment(ctx, "autolog-iris", "", nil)
	must(t, err)
	exp, err := s.GetExperiment(ctx, expID)
	must(t, err)
	eq(t, "artifact location", exp.ArtifactLocation, "mlflow-artifacts:/1")

	// 4-6: start the run, log params and estimator tags.
	run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: runReq.ExperimentID, UserID: runReq.UserID,
		StartTime: runReq.StartTime, Tags: api.StoreTags(runReq.Tags)})
	must(t, err)
	eq(t, "run id", run.Info.RunID, runID)
	must(t, s.LogBatch(ctx, runID, nil, api.StoreParams(paramsReq.Params), api.StoreTags(paramsReq.Tags)))
	_, err = s.GetRun(ctx, runID)
	must(t, err)

	// 7-11: the logged model, the training dataset, the run's output.
	model, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: expID, Name: modelReq.Name,
		SourceRunID: runID, Params: api.StoreParams(modelReq.Params), Tags: api.StoreTags(modelReq.Tags)})
	must(t, err)
	eq(t, "model status", model.Status, store.ModelPending)
	var ds []store.DatasetInput
	for _, d := range inputsReq.Datasets {
		ds = append(ds, store.DatasetInput{Dataset: store.Dataset(d.Dataset), Tags: api.StoreTags(d.Tags)})
	}
	must(t, s.LogInputs(ctx, runID, ds, nil))
	must(t, s.LogOutputs(ctx, runID, []store.ModelIO{{ModelID: model.ModelID}}))
	_, err = s.GetRun(ctx, runID)
	must(t, err)
	_, err = s.GetLoggedModel(ctx, model.ModelID)
	must(t, err)

	// 12-17: the model's files through the artifact proxy, then READY.
	modelRepo, err := s.Artifacts(ctx, model.ArtifactLocation)
	must(t, err)
	for _, x := range xs[11:16] {
		putRecorded(t, ctx, modelRepo, x, model.ArtifactLocation)
	}
	model, err = s.FinalizeLoggedModel(ctx, model.ModelID, store.ModelReady)
	must(t, err)
	eq(t, "model status", model.Status, store.ModelReady)

	// 18-22: run artifacts, training metrics linked to the model.
	_, err = s.GetRun(ctx, runID)
	must(t, err)
	runRepo, err := s.Artifacts(ctx, run.Info.ArtifactURI)
	must(t, err)
	putRecorded(t, ctx, runRepo, xs[18], run.Info.ArtifactURI)
	putRecorded(t, ctx, runRepo, xs[19], run.Info.ArtifactURI)
	must(t, s.LogBatch(ctx, runID, api.StoreMetrics(metricsReq.Metrics), nil, nil))
	got, err := s.GetRun(ctx, runID)
	must(t, err)
	eq(t, "dataset inputs", len(got.Inputs.Datasets), 1)
	eq(t, "metrics", len(got.Data.Metrics), 7)

	// 23-25: end the run; a post-training score and its description.
	info, err := s.UpdateRun(ctx, runID, store.StatusFinished, updateReq.EndTime, "")
	must(t, err)
	eq(t, "status", info.Status, store.StatusFinished)
	must(t, s.LogBatch(ctx, runID, api.StoreMetrics([]api.Metric{lastMetric}), nil, nil))
	putRecorded(t, ctx, runRepo, xs[24], run.Info.ArtifactURI)

	rp.done()
}

// putRecorded uploads, through repo, the file a recorded PUT sent.
func putRecorded(t *testing.T, ctx context.Context, repo store.ArtifactRepo, x exchange, artifactURI string) {
	t.Helper()
	root := epArtifacts + "/" + strings.TrimPrefix(artifactURI, "mlflow-artifacts:/") + "/"
	name, ok := strings.CutPrefix(x.endpoint(), root)
	if x.Method != "PUT" || !ok {
		t.Fatalf("recorded seq %d is %s %s, not an upload under %s", x.Seq, x.Method, x.Path, root)
	}
	var blob struct {
		Text   *string `json:"text"`
		Base64 *string `json:"base64"`
	}
	_ = json.Unmarshal(x.Request, &blob)
	var body []byte
	switch {
	case blob.Text != nil:
		body = []byte(*blob.Text)
	case blob.Base64 != nil:
		var err error
		body, err = base64.StdEncoding.DecodeString(*blob.Base64)
		must(t, err)
	default:
		body = x.Request // a JSON file, recorded as its value
	}
	must(t, repo.Put(ctx, name, strings.NewReader(string(body))))
}
