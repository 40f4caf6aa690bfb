package rest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/grove-ml/grove/tracking/rest"
	"github.com/grove-ml/grove/tracking/store"
)

// mlflowStandIn answers as `mlflow server` does, and prints each request.
func mlflowStandIn() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/2.0/mlflow/experiments/create":
			io.WriteString(w, `{"experiment_id": "1"}`)
		case "/api/2.0/mlflow/experiments/get-by-name":
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Could not find experiment with name 'iris'"}`)
		case "/api/2.0/mlflow/experiments/search":
			io.WriteString(w, `{"experiments": [{"experiment_id": "1", "name": "iris", "lifecycle_stage": "active"},
				{"experiment_id": "0", "name": "Default", "lifecycle_stage": "active"}]}`)
		case "/api/2.0/mlflow/runs/create":
			io.WriteString(w, `{"run": {"info": {"run_id": "4312bb15b56542888521104be6104d58", "experiment_id": "1",
				"status": "RUNNING", "artifact_uri": "mlflow-artifacts:/1/4312bb15b56542888521104be6104d58/artifacts"}}}`)
		case "/api/2.0/mlflow/runs/update":
			io.WriteString(w, `{"run_info": {"run_id": "4312bb15b56542888521104be6104d58", "status": "FINISHED"}}`)
		default:
			io.WriteString(w, `{}`)
		}
	}))
}

// Log a run to a tracking server: the URL is what MLFLOW_TRACKING_URI holds,
// the credentials come from MLflow's environment variables.
func Example() {
	srv := mlflowStandIn()
	defer srv.Close()
	ctx := context.Background()

	opts, err := rest.OptionsFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	s, err := rest.New(srv.URL, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	expID, err := s.CreateExperiment(ctx, "iris", "", nil)
	if err != nil {
		log.Fatal(err)
	}
	run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: "forest", StartTime: 1767225600000})
	if err != nil {
		log.Fatal(err)
	}
	// One request for the params and metrics of a step.
	err = s.LogBatch(ctx, run.Info.RunID,
		[]store.Metric{{Key: "training_accuracy_score", Value: 0.97, Timestamp: 1767225601000}},
		[]store.Param{{Key: "n_estimators", Value: "100"}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	// The run's artifact URI is mlflow-artifacts:/..., so files go through
	// the server.
	repo, err := s.Artifacts(ctx, run.Info.ArtifactURI)
	if err != nil {
		log.Fatal(err)
	}
	if err := repo.Put(ctx, "train.go", strings.NewReader("package main\n")); err != nil {
		log.Fatal(err)
	}
	info, err := s.UpdateRun(ctx, run.Info.RunID, store.StatusFinished, 1767225609000, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Status)
	// Output:
	// POST /api/2.0/mlflow/experiments/create
	// POST /api/2.0/mlflow/runs/create
	// POST /api/2.0/mlflow/runs/log-batch
	// PUT /api/2.0/mlflow-artifacts/artifacts/1/4312bb15b56542888521104be6104d58/artifacts/train.go
	// POST /api/2.0/mlflow/runs/update
	// FINISHED
}

// MLflow's errors keep their code, so callers match them with errors.Is.
func ExampleStore_GetExperimentByName() {
	srv := mlflowStandIn()
	defer srv.Close()
	s, err := rest.New(srv.URL, rest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.GetExperimentByName(context.Background(), "iris")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	var se *store.Error
	if errors.As(err, &se) {
		fmt.Println(se.Message)
	}
	// Output:
	// GET /api/2.0/mlflow/experiments/get-by-name
	// true
	// Could not find experiment with name 'iris'
}

// A server lists its experiments, cleans them up and restores them as a
// local store does (store.Manager), so package tracking/sync can back up a
// whole server.
func ExampleStore_SearchExperiments() {
	srv := mlflowStandIn()
	defer srv.Close()
	ctx := context.Background()
	s, err := rest.New(srv.URL, rest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	exps, next, err := s.SearchExperiments(ctx, store.ExperimentQuery{OrderBy: []string{"name DESC"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range exps {
		fmt.Println(e.ID, e.Name)
	}
	fmt.Printf("next page: %q\n", next)
	if err := s.DeleteRun(ctx, "4312bb15b56542888521104be6104d58"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// POST /api/2.0/mlflow/experiments/search
	// 1 iris
	// 0 Default
	// next page: ""
	// POST /api/2.0/mlflow/runs/delete
}
