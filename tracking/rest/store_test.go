package rest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

const (
	goldenRun   = "4312bb15b56542888521104be6104d58"
	failedRun   = "89331b5075134f65ba236fecf1c1e127"
	goldenModel = "m-3c0b6ec1930144c3a33e2a9597e64163"
)

var goldenSource = []store.Tag{
	{Key: "mlflow.user", Value: "golden"},
	{Key: "mlflow.source.name", Value: "train.go"},
	{Key: "mlflow.source.type", Value: "LOCAL"},
	{Key: "mlflow.source.git.commit", Value: "0123456789abcdef0123456789abcdef01234567"},
}

// TestReplay drives each endpoint grove uses with the values of a recorded
// exchange, checks that the request equals the recorded one (or, marked
// shape, has its field names and types) and that the recorded answer reads
// back as the right entities.
func TestReplay(t *testing.T) {
	tests := []struct {
		fixture string
		shape   bool // the request differs in values only (page size, order)
		run     func(t *testing.T, ctx context.Context, s *Store)
	}{
		{fixture: "experiments-create", run: func(t *testing.T, ctx context.Context, s *Store) {
			id, err := s.CreateExperiment(ctx, "golden", "", []store.Tag{{Key: "team", Value: "gotrain"}})
			must(t, err)
			eq(t, "experiment id", id, "1")
		}},
		{fixture: "experiments-get", run: func(t *testing.T, ctx context.Context, s *Store) {
			e, err := s.GetExperiment(ctx, "1")
			must(t, err)
			checkGoldenExperiment(t, e)
		}},
		{fixture: "experiments-get-by-name", run: func(t *testing.T, ctx context.Context, s *Store) {
			e, err := s.GetExperimentByName(ctx, "golden")
			must(t, err)
			checkGoldenExperiment(t, e)
		}},
		{fixture: "experiments-set-experiment-tag", run: func(t *testing.T, ctx context.Context, s *Store) {
			must(t, s.SetExperimentTag(ctx, "1", "mlflow.note.content", "golden fixture"))
		}},
		{fixture: "runs-create", run: func(t *testing.T, ctx context.Context, s *Store) {
			r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "1", UserID: "golden",
				RunName: "rf-finished", StartTime: 1767225600000, Tags: goldenSource})
			must(t, err)
			eq(t, "run id", r.Info.RunID, goldenRun)
			eq(t, "status", r.Info.Status, store.StatusRunning)
			eq(t, "start", r.Info.StartTime, int64(1767225600000))
			eq(t, "artifact uri", r.Info.ArtifactURI, "/fixtures/mlflow/golden-artifacts/1/"+goldenRun+"/artifacts")
			name, _ := r.Tag("mlflow.runName")
			eq(t, "mlflow.runName", name, "rf-finished")
		}},
		{fixture: "runs-log-batch", run: func(t *testing.T, ctx context.Context, s *Store) {
			params := []store.Param{{Key: "n_estimators", Value: "10"}, {Key: "max_depth", Value: "3"},
				{Key: "criterion", Value: "gini"}, {Key: "random_state", Value: "0"}, {Key: "bootstrap", Value: "True"}}
			var metrics []store.Metric
			for i, v := range []float64{1, .5, .25, .125, .0625} {
				metrics = append(metrics, store.Metric{Key: "loss", Value: v, Timestamp: 1767225601000 + int64(i)*1000, Step: int64(i)})
			}
			metrics = append(metrics, store.Metric{Key: "training_accuracy_score", Value: 0.9714285714285714, Timestamp: 1767225606000})
			tags := []store.Tag{{Key: "estimator_name", Value: "RandomForestClassifier"},
				{Key: "estimator_class", Value: "sklearn.ensemble._forest.RandomForestClassifier"}}
			must(t, s.LogBatch(ctx, goldenRun, metrics, params, tags))
		}},
		{fixture: "runs-update", run: func(t *testing.T, ctx context.Context, s *Store) {
			info, err := s.UpdateRun(ctx, goldenRun, store.StatusFinished, 1767225609000, "")
			must(t, err)
			eq(t, "status", info.Status, store.StatusFinished)
			eq(t, "end", info.EndTime, int64(1767225609000))
			eq(t, "run name", info.RunName, "rf-finished")
		}},
		{fixture: "runs-update-failed", run: func(t *testing.T, ctx context.Context, s *Store) {
			info, err := s.UpdateRun(ctx, failedRun, store.StatusFailed, 1767225615000, "")
			must(t, err)
			eq(t, "status", info.Status, store.StatusFailed)
			eq(t, "run id", info.RunID, failedRun)
		}},
		{fixture: "runs-get", run: func(t *testing.T, ctx context.Context, s *Store) {
			r, err := s.GetRun(ctx, goldenRun)
			must(t, err)
			checkGoldenRun(t, r)
			eq(t, "outputs", len(r.Outputs.Models), 1)
			eq(t, "output model", r.Outputs.Models[0].ModelID, goldenModel)
		}},
		{fixture: "experiments-search", run: func(t *testing.T, ctx context.Context, s *Store) {
			exps, next, err := s.SearchExperiments(ctx, store.ExperimentQuery{MaxResults: 10, Filter: "name = 'golden'"})
			must(t, err)
			eq(t, "next", next, "")
			eq(t, "experiments", len(exps), 1)
			eq(t, "id", exps[0].ID, "1")
			eq(t, "tags", exps[0].Tags, map[string]string{"team": "gotrain"})
			eq(t, "created", exps[0].CreationTime, int64(1795774326592))
		}},
		{fixture: "logged-models-search", run: func(t *testing.T, ctx context.Context, s *Store) {
			models, next, err := s.SearchLoggedModels(ctx, store.LoggedModelQuery{ExperimentIDs: []string{"1"}})
			must(t, err)
			eq(t, "next", next, "")
			eq(t, "models", len(models), 1)
			eq(t, "model id", models[0].ModelID, goldenModel)
			eq(t, "status", models[0].Status, store.ModelReady)
			eq(t, "source run", models[0].SourceRunID, goldenRun)
			eq(t, "params", models[0].Params, []store.Param{{Key: "n_estimators", Value: "10"}})
		}},
		{fixture: "runs-search", shape: true, run: func(t *testing.T, ctx context.Context, s *Store) {
			runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{"1"}, MaxResults: 10})
			must(t, err)
			eq(t, "runs", len(runs), 2)
			eq(t, "next token", next, "")
			checkGoldenRun(t, runs[0])
			eq(t, "second run", runs[1].Info.RunID, failedRun)
		}},
		{fixture: "metrics-get-history", run: func(t *testing.T, ctx context.Context, s *Store) {
			ms, err := s.GetMetricHistory(ctx, goldenRun, "loss")
			must(t, err)
			eq(t, "points", len(ms), 5)
			for i, m := range ms {
				eq(t, "step", m.Step, int64(i))
				eq(t, "timestamp", m.Timestamp, 1767225601000+int64(i)*1000)
			}
			eq(t, "last value", ms[4].Value, 0.0625)
		}},
		{fixture: "runs-log-outputs", run: func(t *testing.T, ctx context.Context, s *Store) {
			must(t, s.LogOutputs(ctx, goldenRun, []store.ModelIO{{ModelID: goldenModel}}))
		}},
		{fixture: "logged-models-create", run: func(t *testing.T, ctx context.Context, s *Store) {
			m, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: "1", Name: "model",
				ModelType: "classifier", SourceRunID: goldenRun,
				Params: []store.Param{{Key: "n_estimators", Value: "10"}},
				Tags:   []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}}})
			must(t, err)
			checkGoldenModel(t, m, store.ModelPending)
		}},
		{fixture: "logged-models-finalize", run: func(t *testing.T, ctx context.Context, s *Store) {
			m, err := s.FinalizeLoggedModel(ctx, goldenModel, store.ModelReady)
			must(t, err)
			checkGoldenModel(t, m, store.ModelReady)
		}},
		{fixture: "logged-models-get", run: func(t *testing.T, ctx context.Context, s *Store) {
			m, err := s.GetLoggedModel(ctx, goldenModel)
			must(t, err)
			checkGoldenModel(t, m, store.ModelReady)
			eq(t, "last update", m.LastUpdatedTime, int64(1795774327475))
		}},
		{fixture: "mlflow-artifacts-upload", run: func(t *testing.T, ctx context.Context, s *Store) {
			repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/"+goldenRun+"/artifacts")
			must(t, err)
			must(t, repo.Put(ctx, "train.go", strings.NewReader("package main\n\nfunc main() { /* golden fixture source file */ }\n")))
		}},
		{fixture: "mlflow-artifacts-upload-model", run: func(t *testing.T, ctx context.Context, s *Store) {
			repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/models/"+goldenModel+"/artifacts")
			must(t, err)
			x := loadExchange(t, "mlflow-artifacts-upload-model")
			var rec struct{ Text string }
			must(t, jsonUnmarshal(x.Request, &rec))
			must(t, repo.Put(ctx, "MLmodel", strings.NewReader(rec.Text)))
		}},
		{fixture: "mlflow-artifacts-list", run: func(t *testing.T, ctx context.Context, s *Store) {
			repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/"+goldenRun+"/artifacts")
			must(t, err)
			files, err := repo.List(ctx, "")
			must(t, err)
			want := []store.FileInfo{{Path: "charts", IsDir: true}, {Path: "train.go", Size: 63},
				{Path: "training_confusion_matrix.png", Size: 3964}}
			eq(t, "files", len(files), len(want))
			for i := range want {
				eq(t, "file", files[i], want[i])
			}
		}},
		{fixture: "mlflow-artifacts-download", run: func(t *testing.T, ctx context.Context, s *Store) {
			repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/"+goldenRun+"/artifacts")
			must(t, err)
			rc, err := repo.Open(ctx, "train.go")
			must(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			must(t, err)
			eq(t, "contents", string(b), "package main\n\nfunc main() { /* golden fixture source file */ }\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			rp := newReplayer(t, !tt.shape, loadExchange(t, tt.fixture))
			s := rp.store()
			defer s.Close()
			tt.run(t, context.Background(), s)
			rp.done()
		})
	}
}

// TestReplayErrors serves the recorded MLflow errors and checks that they
// come back as *store.Error with the server's code and message, inside an
// *Error naming the server and the endpoint. Errors recorded on endpoints
// grove does not call (log-metric, log-parameter) are served to log-batch,
// the endpoint grove logs through: the error body is the same.
func TestReplayErrors(t *testing.T) {
	tests := []struct {
		fixture  string
		endpoint string // the endpoint grove calls, when not the recorded one
		status   int
		want     error
		run      func(ctx context.Context, s *Store) error
	}{
		{fixture: "error-experiment-not-found", status: 404, want: store.ErrNotFound,
			run: func(ctx context.Context, s *Store) error {
				_, err := s.GetExperimentByName(ctx, "does-not-exist")
				return err
			}},
		{fixture: "error-run-not-found", status: 404, want: store.ErrNotFound,
			run: func(ctx context.Context, s *Store) error {
				_, err := s.GetRun(ctx, "00000000000000000000000000000000")
				return err
			}},
		{fixture: "error-experiment-already-exists", status: 400, want: store.ErrAlreadyExists,
			run: func(ctx context.Context, s *Store) error {
				_, err := s.CreateExperiment(ctx, "golden", "", nil)
				return err
			}},
		{fixture: "error-log-batch-too-many-params", status: 400, want: store.ErrInvalidParameter,
			run: func(ctx context.Context, s *Store) error {
				// One batch within the limit, answered with the recorded error.
				return s.LogBatch(ctx, goldenRun, nil, []store.Param{{Key: "p0", Value: "x"}}, nil)
			}},
		{fixture: "error-param-overwrite", endpoint: epLogBatch, status: 400, want: store.ErrInvalidParameter,
			run: func(ctx context.Context, s *Store) error {
				return s.LogBatch(ctx, goldenRun, nil, []store.Param{{Key: "n_estimators", Value: "20"}}, nil)
			}},
		{fixture: "error-missing-required-field", endpoint: epLogBatch, status: 400, want: store.ErrInvalidParameter,
			run: func(ctx context.Context, s *Store) error {
				return s.LogBatch(ctx, goldenRun, []store.Metric{{Value: 1, Timestamp: 1767225600000}}, nil, nil)
			}},
		{fixture: "error-bad-metric-key", endpoint: epLogBatch, status: 400, want: store.ErrInvalidParameter,
			run: func(ctx context.Context, s *Store) error {
				return s.LogBatch(ctx, goldenRun, []store.Metric{{Key: "bad/../key", Value: 1, Timestamp: 1767225600000}}, nil, nil)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			x := loadExchange(t, tt.fixture)
			var rec wError
			must(t, jsonUnmarshal(x.Response, &rec))
			exact := true
			if tt.endpoint != "" || tt.fixture == "error-log-batch-too-many-params" {
				// Served on grove's endpoint with grove's request: only the
				// answer is the recorded one.
				x.Path, x.Method, x.Request, exact = epLogBatch, "POST", nil, false
			}
			rp := newReplayer(t, exact, x)
			s := rp.store()
			err := tt.run(context.Background(), s)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(%v, %v) is false", err, tt.want)
			}
			var se *store.Error
			if !errors.As(err, &se) || se.Code != rec.ErrorCode || se.Message != rec.Message {
				t.Errorf("store error %+v, want code %q message %q", se, rec.ErrorCode, rec.Message)
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("%v is not a *rest.Error", err)
			}
			eq(t, "status", re.Status, tt.status)
			eq(t, "server", re.Server, rp.srv.URL)
			for _, part := range []string{rp.srv.URL, re.Endpoint, rec.ErrorCode} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %q", err, part)
				}
			}
		})
	}
}

func checkGoldenExperiment(t *testing.T, e *store.Experiment) {
	t.Helper()
	eq(t, "id", e.ID, "1")
	eq(t, "name", e.Name, "golden")
	eq(t, "artifact location", e.ArtifactLocation, "/fixtures/mlflow/golden-artifacts/1")
	eq(t, "lifecycle", e.LifecycleStage, store.LifecycleActive)
	eq(t, "created", e.CreationTime, int64(1795774326592))
	eq(t, "tag team", e.Tags["team"], "gotrain")
}

func checkGoldenRun(t *testing.T, r *store.Run) {
	t.Helper()
	eq(t, "run id", r.Info.RunID, goldenRun)
	eq(t, "status", r.Info.Status, store.StatusFinished)
	eq(t, "end", r.Info.EndTime, int64(1767225609000))
	eq(t, "user", r.Info.UserID, "golden")
	loss, ok := r.Metric("loss")
	eq(t, "has loss", ok, true)
	eq(t, "loss", loss, store.Metric{Key: "loss", Value: 0.0625, Timestamp: 1767225605000, Step: 4})
	v, _ := r.Param("max_features")
	eq(t, "max_features", v, "sqrt")
	eq(t, "params", len(r.Data.Params), 6)
	v, _ = r.Tag("estimator_name")
	eq(t, "estimator_name", v, "RandomForestClassifier")
}

func checkGoldenModel(t *testing.T, m *store.LoggedModel, status store.ModelStatus) {
	t.Helper()
	eq(t, "model id", m.ModelID, goldenModel)
	eq(t, "status", m.Status, status)
	eq(t, "experiment", m.ExperimentID, "1")
	eq(t, "type", m.ModelType, "classifier")
	eq(t, "source run", m.SourceRunID, goldenRun)
	eq(t, "artifacts", m.ArtifactLocation, "/fixtures/mlflow/golden-artifacts/1/models/"+goldenModel+"/artifacts")
	eq(t, "created", m.CreationTime, int64(1795774327419))
	eq(t, "params", m.Params, []store.Param{{Key: "n_estimators", Value: "10"}})
	eq(t, "tags", m.Tags, []store.Tag{{Key: "mlflow.source.name", Value: "train.go"}})
}
