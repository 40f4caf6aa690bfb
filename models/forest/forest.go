package forest

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/models"
)

// Forest is a random forest classifier. Make one with New, train it with
// Fit, then predict; or read a saved one with Load. A fitted Forest may be
// used for prediction from several goroutines at once; Fit must not run
// concurrently with anything else on the same Forest.
type Forest struct {
	cfg         Config
	k, d        int
	trees       []*tree
	importances []float64
	oob         float64
	hasOOB      bool
}

var (
	_ models.Classifier = (*Forest)(nil)
	_ models.Named      = (*Forest)(nil)
	_ models.Saver      = (*Forest)(nil)
)

// New returns an unfitted forest with the given configuration. The
// configuration is checked by Fit (and by Validate, for an early answer).
func New(cfg Config) *Forest {
	return &Forest{cfg: cfg}
}

// Config returns the configuration the forest was made or loaded with.
func (f *Forest) Config() Config { return f.cfg }

// EstimatorName returns scikit-learn's name for the same estimator.
func (f *Forest) EstimatorName() string { return "RandomForestClassifier" }

// Params reports the hyper-parameters under scikit-learn's names; see
// Config.Params.
func (f *Forest) Params() map[string]string { return f.cfg.Params() }

// Classes returns the number of classes the model was fitted for, or 0
// before Fit.
func (f *Forest) Classes() int { return f.k }

// Features returns the number of features the model was fitted on, or 0
// before Fit.
func (f *Forest) Features() int { return f.d }

// Trees returns the number of fitted trees.
func (f *Forest) Trees() int { return len(f.trees) }

// Nodes returns the total number of nodes over all trees.
func (f *Forest) Nodes() int {
	n := 0
	for _, t := range f.trees {
		n += len(t.nodes)
	}
	return n
}

// FeatureImportances returns each feature's mean decrease in impurity,
// averaged over the trees and normalised to sum to 1 (scikit-learn's
// feature_importances_). It is nil before Fit, and all zeros when no tree
// could split.
func (f *Forest) FeatureImportances() []float64 {
	if f.importances == nil {
		return nil
	}
	return append([]float64(nil), f.importances...)
}

// OOBScore returns the out-of-bag accuracy and true when Fit computed it
// (Config.OOBScore).
func (f *Forest) OOBScore() (float64, bool) { return f.oob, f.hasOOB }

// rawRows returns X's values as a row-major block, without copying when X
// is a *mat.Dense, and checks they are all finite.
func rawRows(X mat.Matrix) (rawMatrix, error) {
	d, ok := X.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(X)
	}
	rm := d.RawMatrix()
	r := rawMatrix{Rows: rm.Rows, Cols: rm.Cols, Stride: rm.Stride, Data: rm.Data}
	for i := 0; i < r.Rows; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return r, inputErrorf(ErrNotFinite, "X[%d, %d] is %v; features must be finite", i, j, v)
			}
		}
	}
	return r, nil
}

type rawMatrix struct {
	Rows, Cols, Stride int
	Data               []float64
}
