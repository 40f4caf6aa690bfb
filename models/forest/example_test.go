package forest_test

import (
	"bytes"
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/models/forest"
)

// Example trains a small forest on two well separated groups of points,
// predicts new points, and round-trips the model through its file format.
func Example() {
	X := mat.NewDense(8, 2, []float64{
		1.0, 1.1,
		1.2, 0.9,
		0.8, 1.0,
		1.1, 1.3,
		5.0, 5.2,
		5.3, 4.9,
		4.8, 5.1,
		5.1, 5.4,
	})
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}

	f := forest.New(forest.Config{Trees: 25, Seed: 42})
	if err := f.Fit(context.Background(), X, y, 2); err != nil {
		fmt.Println(err)
		return
	}
	pred, err := f.Predict(mat.NewDense(2, 2, []float64{0.9, 1.2, 5.2, 5.0}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("predicted:", pred)
	fmt.Println("estimator:", f.EstimatorName(), "n_estimators="+f.Params()["n_estimators"], "max_features="+f.Params()["max_features"])

	var file bytes.Buffer
	if err := f.Save(&file); err != nil {
		fmt.Println(err)
		return
	}
	g, err := forest.Load(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	name, version := g.ModelFormat()
	fmt.Println("reloaded:", name, version, g.Trees(), "trees")
	// Output:
	// predicted: [0 1]
	// estimator: RandomForestClassifier n_estimators=25 max_features=sqrt
	// reloaded: grove-forest 1 25 trees
}

// ExampleConfig_Validate shows the error for an out-of-range field.
func ExampleConfig_Validate() {
	err := forest.Config{MinSamplesLeaf: -1}.Validate()
	fmt.Println(err)
	// Output:
	// forest: MinSamplesLeaf must be at least 1 (0 means 1), got -1
}
