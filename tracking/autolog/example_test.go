package autolog_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
)

// Train on Iris and record everything in one call; any models.Classifier
// will do (grove's forest.New(forest.Config{}) in a real program).
func ExampleFit() {
	dir, _ := os.MkdirTemp("", "grove-autolog")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.2, Seed: 1, Stratify: true})
	if err != nil {
		log.Fatal(err)
	}

	res, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{
		Experiment: "iris",
		Params:     map[string]string{"test_size": "0.2"},
	})
	if err != nil {
		log.Fatal(err)
	}

	run, _ := c.GetRun(ctx, res.RunID)
	names := make([]string, 0, len(res.Metrics))
	for k := range res.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Println(run.Info.Status, len(run.Data.Params), "params")
	fmt.Println(names)
	estimator, _ := run.Tag("estimator_name")
	fmt.Println(estimator, res.ModelID != "")
	// Output:
	// FINISHED 3 params
	// [test_accuracy_score test_f1_score test_log_loss test_precision_score test_recall_score test_roc_auc test_score training_accuracy_score training_f1_score training_log_loss training_precision_score training_recall_score training_roc_auc training_score]
	// NearestCentroid true
}

// Score a fitted model without recording anything: the numbers Fit would log,
// under the names it would log them.
func ExampleScore() {
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.2, Seed: 1, Stratify: true})
	if err != nil {
		log.Fatal(err)
	}
	model := &centroid{}
	if err := model.Fit(context.Background(), train.X, train.Y, train.Classes()); err != nil {
		log.Fatal(err)
	}
	s, err := autolog.Score(model, test, autolog.PrefixTest)
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(s.Metrics))
	for k := range s.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Println(names)
	fmt.Println(len(s.Predictions), "predictions,", len(s.Skipped), "skipped")
	// Output:
	// [test_accuracy_score test_f1_score test_log_loss test_precision_score test_recall_score test_roc_auc test_score]
	// 30 predictions, 0 skipped
}

// Record more than Fit does before the run is FINISHED: start the run,
// let Fit record into it, add a custom metric, then end it. Had Fit failed,
// it would have ended the run FAILED with the error recorded.
func ExampleStartRun() {
	dir, _ := os.MkdirTemp("", "grove-autolog")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.2, Seed: 1, Stratify: true})
	if err != nil {
		log.Fatal(err)
	}

	run, err := autolog.StartRun(ctx, c, autolog.Options{Experiment: "iris", RunName: "with extras"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{Run: run}); err != nil {
		log.Fatal(err) // the run is FAILED already
	}
	if err := run.LogMetric(ctx, "accuracy_on_new_data", 0.98, 0); err != nil {
		run.EndWithError(ctx, store.StatusFailed, err)
		log.Fatal(err)
	}
	if err := run.End(ctx, store.StatusFinished); err != nil {
		log.Fatal(err)
	}

	r, _ := c.GetRun(ctx, run.ID())
	m, _ := r.Metric("accuracy_on_new_data")
	fmt.Println(r.Info.RunName, r.Info.Status, m.Value)
	// Output:
	// with extras FINISHED 0.98
}
