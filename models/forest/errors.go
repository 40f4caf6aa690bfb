package forest

import (
	"errors"
	"fmt"
)

// Errors that the errors of Fit, Predict, PredictProba and Validate wrap,
// for errors.Is: each names a kind of mistake in the caller's input, while
// the error's own message says what was wrong and where. Load's errors wrap
// the sentinels in format.go.
var (
	// ErrNotFitted: the Forest was neither fitted nor loaded.
	ErrNotFitted = errors.New("forest: model is not fitted")
	// ErrEmpty: X is nil, or has no rows or no features to train on.
	ErrEmpty = errors.New("forest: X is nil or empty")
	// ErrShape: y has not one label per row of X, or X has not the number
	// of features the model was fitted on.
	ErrShape = errors.New("forest: dimension mismatch")
	// ErrTooLarge: X has more rows than a forest can train on (2^31-1).
	ErrTooLarge = errors.New("forest: X is too large")
	// ErrNotFinite: a value of X is NaN or infinite.
	ErrNotFinite = errors.New("forest: features must be finite")
	// ErrBadLabels: a label is outside [0, classes), y holds a single
	// class, or classes is below 2.
	ErrBadLabels = errors.New("forest: bad labels")
	// ErrBadConfig: a Config field is out of range, alone or for the data.
	ErrBadConfig = errors.New("forest: bad config")
)

// inputError is a mistake in the caller's input: its message stands on its
// own, and it unwraps to the sentinel of its kind.
type inputError struct {
	kind error
	msg  string
}

func (e *inputError) Error() string { return e.msg }
func (e *inputError) Unwrap() error { return e.kind }

// inputErrorf returns an inputError of the given kind whose message is
// "forest: " and the formatted text.
func inputErrorf(kind error, format string, args ...any) error {
	return &inputError{kind: kind, msg: "forest: " + fmt.Sprintf(format, args...)}
}
