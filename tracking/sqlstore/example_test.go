package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "grove")
	defer os.RemoveAll(dir)

	s, err := sqlstore.Open(ctx, filepath.Join(dir, "mlflow.db"), sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	e, _ := s.GetExperiment(ctx, "0")
	fmt.Println(s.SchemaRevision(), e.Name, strings.TrimPrefix(e.ArtifactLocation, dir))
	// Output:
	// 7d34483879f0 Default /mlruns/0
}

func Example_logRun() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "grove")
	defer os.RemoveAll(dir)
	s, err := sqlstore.Open(ctx, filepath.Join(dir, "mlflow.db"), sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	expID, _ := s.CreateExperiment(ctx, "iris", "", nil)
	run, _ := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: "rf-100", UserID: "ana"})
	id := run.Info.RunID
	s.LogBatch(ctx, id,
		[]store.Metric{
			{Key: "loss", Value: 0.5, Timestamp: 1, Step: 0},
			{Key: "loss", Value: 0.25, Timestamp: 2, Step: 1},
		},
		[]store.Param{{Key: "n_estimators", Value: "100"}},
		[]store.Tag{{Key: "estimator_name", Value: "RandomForestClassifier"}})
	repo, _ := s.Artifacts(ctx, run.Info.ArtifactURI)
	repo.Put(ctx, "notes.txt", strings.NewReader("trained on iris"))
	s.UpdateRun(ctx, id, store.StatusFinished, 3, "")

	// A changed param is refused, as MLflow refuses it.
	err = s.LogBatch(ctx, id, nil, []store.Param{{Key: "n_estimators", Value: "200"}}, nil)
	fmt.Println(err != nil)

	got, _ := s.GetRun(ctx, id)
	loss, _ := got.Metric("loss")
	n, _ := got.Param("n_estimators")
	history, _ := s.GetMetricHistory(ctx, id, "loss")
	files, _ := repo.List(ctx, "")
	fmt.Println(got.Info.RunName, got.Info.Status, n, loss.Value, len(history), files[0].Path)
	// Output:
	// true
	// rf-100 FINISHED 100 0.25 2 notes.txt
}
