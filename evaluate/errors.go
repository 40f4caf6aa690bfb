package evaluate

import (
	"errors"
	"fmt"
)

// Sentinels that the errors of this package wrap; match them with errors.Is.
var (
	// ErrEmpty means there were no samples to score.
	ErrEmpty = errors.New("no samples")
	// ErrLength means two inputs that go together differ in length or shape.
	ErrLength = errors.New("lengths do not match")
	// ErrLabel means a label is not a class code in 0..classes-1.
	ErrLabel = errors.New("label outside the class range")
	// ErrProbability means a row of class probabilities holds a value
	// outside [0, 1], NaN, or does not sum to 1.
	ErrProbability = errors.New("not a row of probabilities")
	// ErrOneClass is scikit-learn's refusal to compute a ROC AUC when a
	// class the score needs is absent from the true labels.
	ErrOneClass = errors.New("only one class present in y_true; ROC AUC score is not defined in that case")
	// ErrAverage means the averaging asked for does not apply to the metric
	// or to the number of classes.
	ErrAverage = errors.New("averaging not supported")
)

// errorf prefixes a message with the package and the metric it concerns.
func errorf(metric, format string, args ...any) error {
	return fmt.Errorf("evaluate: "+metric+": "+format, args...)
}

// checkLabels validates a pair of label slices against the class range.
func checkLabels(metric string, yTrue, yPred []int, classes int) error {
	if classes < 1 {
		return errorf(metric, "classes must be at least 1, got %d", classes)
	}
	if len(yTrue) != len(yPred) {
		return errorf(metric, "y_true has %d labels, y_pred %d: %w", len(yTrue), len(yPred), ErrLength)
	}
	if len(yTrue) == 0 {
		return errorf(metric, "%w", ErrEmpty)
	}
	for i, y := range yTrue {
		if uint(y) >= uint(classes) {
			return errorf(metric, "y_true[%d] = %d, want 0..%d: %w", i, y, classes-1, ErrLabel)
		}
	}
	for i, y := range yPred {
		if uint(y) >= uint(classes) {
			return errorf(metric, "y_pred[%d] = %d, want 0..%d: %w", i, y, classes-1, ErrLabel)
		}
	}
	return nil
}
