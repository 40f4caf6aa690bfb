package models

import (
	"context"
	"io"

	"gonum.org/v1/gonum/mat"
)

// Classifier is what every grove classifier does. Autolog, the command and the
// evaluation code see a model only through it.
type Classifier interface {
	// Fit trains on the rows of X with labels y in 0..classes-1. A class may
	// be absent from y (a small training split); classes still sets the width
	// of PredictProba. Fit stops early with ctx.Err() when ctx is done.
	Fit(ctx context.Context, X mat.Matrix, y []int, classes int) error
	// Predict returns one class code per row of X.
	Predict(X mat.Matrix) ([]int, error)
	// PredictProba returns a rows x Classes() matrix of class probabilities.
	PredictProba(X mat.Matrix) (*mat.Dense, error)
	// Params reports the hyper-parameters under scikit-learn's names, with
	// values spelled as Python prints them (None, True, 'sqrt' as sqrt).
	Params() map[string]string
	// Classes returns the number of classes the model was fitted for.
	Classes() int
}

// Named is met by a classifier that has a scikit-learn counterpart; autolog
// records the name as the estimator_name tag.
type Named interface {
	EstimatorName() string
}

// Saver is met by a classifier that can write itself as a model file.
// Autolog logs that file as the logged model's payload.
type Saver interface {
	Save(w io.Writer) error
	// ModelFormat names the file format and its version, such as
	// ("grove-forest", 1); autolog writes both into the MLmodel file.
	ModelFormat() (name string, version int)
}
