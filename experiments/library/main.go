// Command library is grove's main job written against the packages instead
// of the train command: load Iris, split it, train a random forest under
// autolog, then add a custom metric to the finished run, as a data scientist
// does after scoring the model on data it never saw.
//
//	go run ./experiments/library
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
)

func main() {
	ctx := context.Background()
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.25, Seed: 42, Stratify: true})
	if err != nil {
		log.Fatal(err)
	}

	client, err := tracking.Open(ctx, "") // $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// One call trains and records params, metrics, tags, pictures, the
	// model, this file and the data, as mlflow.sklearn.autolog() would.
	model := forest.New(forest.Config{Trees: 200, Seed: 42})
	res, err := autolog.Fit(ctx, client, model, train, test, autolog.Options{
		Experiment: "library_example",
		Params:     map[string]string{"test_size": "0.25", "stratify": "True"},
	})
	if err != nil {
		log.Fatal(err)
	}

	// Later: score on "new" data (here the setosa and virginica test rows)
	// and add the number to the same run as a custom metric.
	var rows []int
	for i, y := range test.Y {
		if y != 1 {
			rows = append(rows, i)
		}
	}
	fresh := test.Subset(rows)
	pred, err := model.Predict(fresh.X)
	if err != nil {
		log.Fatal(err)
	}
	acc, err := evaluate.Accuracy(fresh.Y, pred)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.LogMetrics(ctx, res.RunID, map[string]float64{"accuracy_on_setosa_virginica": acc}); err != nil {
		log.Fatal(err)
	}

	fmt.Printf("run %s (%s) in experiment %s\n", res.RunName, res.RunID, res.ExperimentID)
	fmt.Printf("test accuracy %.4f, custom accuracy_on_setosa_virginica %.4f\n", res.Metrics["test_accuracy_score"], acc)
	fmt.Printf("look at it: mlflow ui --backend-store-uri %s\n", client.URI())
}
