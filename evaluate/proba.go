package evaluate

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// checkProba validates true labels against a matrix of class probabilities:
// one row per label, at least two columns, labels within the columns, and
// every row made of values in [0, 1] that sum to 1 within numpy.allclose's
// default tolerance (the test scikit-learn applies to multiclass scores).
func checkProba(metric string, yTrue []int, proba *mat.Dense) (rows, cols int, err error) {
	if proba == nil || proba.IsEmpty() {
		if len(yTrue) == 0 {
			return 0, 0, errorf(metric, "%w", ErrEmpty)
		}
		return 0, 0, errorf(metric, "y_true has %d labels, probabilities have no rows: %w", len(yTrue), ErrLength)
	}
	rows, cols = proba.Dims()
	if len(yTrue) == 0 {
		return 0, 0, errorf(metric, "%w", ErrEmpty)
	}
	if rows != len(yTrue) {
		return 0, 0, errorf(metric, "y_true has %d labels, probabilities %d rows: %w", len(yTrue), rows, ErrLength)
	}
	if cols < 2 {
		return 0, 0, errorf(metric, "probabilities have %d column, want one per class and at least 2: %w", cols, ErrLength)
	}
	for i, y := range yTrue {
		if uint(y) >= uint(cols) {
			return 0, 0, errorf(metric, "y_true[%d] = %d, want 0..%d (one per probability column): %w", i, y, cols-1, ErrLabel)
		}
	}
	for i := range rows {
		row := proba.RawRowView(i)
		sum := 0.0
		for j, p := range row {
			if !(p >= 0 && p <= 1) { // also catches NaN
				return 0, 0, errorf(metric, "probability [%d, %d] = %v, want a value in [0, 1]: %w", i, j, p, ErrProbability)
			}
			sum += p
		}
		if math.Abs(1-sum) > 1e-8+1e-5*sum {
			return 0, 0, errorf(metric, "probability row %d sums to %v, want 1: %w", i, sum, ErrProbability)
		}
	}
	return rows, cols, nil
}

// logLossEps is the clipping bound of scikit-learn 1.2's log_loss with its
// default eps="auto": the machine epsilon of float64.
const logLossEps = 0x1p-52

// LogLoss returns the mean negative log-likelihood of the true labels under
// the predicted probabilities, as scikit-learn 1.2's log_loss computes it
// with labels=range(cols): each probability is clipped to [eps, 1-eps] with
// eps the float64 machine epsilon (2.22e-16, so a confident miss costs
// about 36 rather than infinity), and each row is then renormalised to sum
// to 1. Column c of proba is the probability of class c.
func LogLoss(yTrue []int, proba *mat.Dense) (float64, error) {
	rows, _, err := checkProba("log loss", yTrue, proba)
	if err != nil {
		return 0, err
	}
	const lo, hi = logLossEps, 1 - logLossEps
	total := 0.0
	for i, y := range yTrue {
		row := proba.RawRowView(i)
		sum := 0.0
		for _, p := range row {
			sum += min(max(p, lo), hi)
		}
		p := min(max(row[y], lo), hi)
		total -= math.Log(p / sum)
	}
	return total / float64(rows), nil
}
