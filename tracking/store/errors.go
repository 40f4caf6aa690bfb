package store

import "fmt"

// MLflow's error codes, as its REST API and Python client report them.
const (
	CodeNotFound         = "RESOURCE_DOES_NOT_EXIST"
	CodeAlreadyExists    = "RESOURCE_ALREADY_EXISTS"
	CodeInvalidParameter = "INVALID_PARAMETER_VALUE"
	CodeInternal         = "INTERNAL_ERROR"
)

// Error is a failure MLflow would report with an error code.
type Error struct {
	Code    string // one of the Code constants, or another MLflow code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ErrNotFound) holds for every not-found failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels to match with errors.Is.
var (
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrAlreadyExists    = &Error{Code: CodeAlreadyExists}
	ErrInvalidParameter = &Error{Code: CodeInvalidParameter}
)

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
