package api

import (
	"errors"
	"net/http"

	"github.com/grove-ml/grove/tracking/store"
)

// Error is MLflow's error body. Servers of MLflow 3 add sqlstate and
// error_class, which classify the code for dashboards; clients read only
// error_code and message.
type Error struct {
	ErrorCode  string `json:"error_code"`
	Message    string `json:"message"`
	SQLState   string `json:"sqlstate,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
}

// MLflow's error codes beyond those of tracking/store.
const (
	CodeEndpointNotFound  = "ENDPOINT_NOT_FOUND"
	CodeBadRequest        = "BAD_REQUEST"
	CodeNotImplemented    = "NOT_IMPLEMENTED"
	CodePermissionDenied  = "PERMISSION_DENIED"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeInvalidState      = "INVALID_STATE"
	CodeFeatureDisabled   = "FEATURE_DISABLED"
	CodeRequestLimit      = "REQUEST_LIMIT_EXCEEDED"
	CodeTemporarilyAbsent = "TEMPORARILY_UNAVAILABLE"
)

// httpStatus is the HTTP status MLflow's server answers each code with;
// a code not listed is a 500.
var httpStatus = map[string]int{
	store.CodeInternal:         http.StatusInternalServerError,
	CodeInvalidState:           http.StatusInternalServerError,
	"DATA_LOSS":                http.StatusInternalServerError,
	CodeNotImplemented:         http.StatusNotImplemented,
	CodeTemporarilyAbsent:      http.StatusServiceUnavailable,
	"DEADLINE_EXCEEDED":        http.StatusGatewayTimeout,
	CodeRequestLimit:           http.StatusTooManyRequests,
	"CANCELLED":                499,
	"RESOURCE_EXHAUSTED":       http.StatusTooManyRequests,
	"ABORTED":                  http.StatusConflict,
	"RESOURCE_CONFLICT":        http.StatusConflict,
	"ALREADY_EXISTS":           http.StatusConflict,
	"NOT_FOUND":                http.StatusNotFound,
	CodeEndpointNotFound:       http.StatusNotFound,
	store.CodeNotFound:         http.StatusNotFound,
	CodePermissionDenied:       http.StatusForbidden,
	"CUSTOMER_UNAUTHORIZED":    http.StatusUnauthorized,
	CodeUnauthenticated:        http.StatusUnauthorized,
	CodeBadRequest:             http.StatusBadRequest,
	store.CodeAlreadyExists:    http.StatusBadRequest,
	store.CodeInvalidParameter: http.StatusBadRequest,
	CodeFeatureDisabled:        http.StatusNotImplemented,
}

// errorClass and sqlState classify a code as MLflow 3's server does.
var errorClass = map[string]string{
	CodeBadRequest:             "INVALID_PARAMETER_VALUE",
	"CUSTOMER_UNAUTHORIZED":    "PERMISSION_DENIED",
	CodeEndpointNotFound:       "RESOURCE_NOT_FOUND",
	CodeFeatureDisabled:        "FEATURE_DISABLED",
	store.CodeInternal:         "CLIENT_INTERNAL_ERROR",
	store.CodeInvalidParameter: "INVALID_PARAMETER_VALUE",
	CodeInvalidState:           "CLIENT_INTERNAL_ERROR",
	"NOT_FOUND":                "RESOURCE_NOT_FOUND",
	CodePermissionDenied:       "PERMISSION_DENIED",
	store.CodeAlreadyExists:    "RESOURCE_ALREADY_EXISTS",
	store.CodeNotFound:         "RESOURCE_NOT_FOUND",
	CodeTemporarilyAbsent:      "CLIENT_INTERNAL_ERROR",
}

var sqlState = map[string]string{
	"INVALID_PARAMETER_VALUE": "KAM00",
	"PERMISSION_DENIED":       "KAM00",
	"RESOURCE_NOT_FOUND":      "KAM00",
	"FEATURE_DISABLED":        "KAM00",
	"RESOURCE_ALREADY_EXISTS": "KAM00",
	"CLIENT_INTERNAL_ERROR":   "XXM00",
}

// HTTPStatus returns the HTTP status MLflow's server answers an error code
// with: 404 for RESOURCE_DOES_NOT_EXIST, 400 for INVALID_PARAMETER_VALUE and
// RESOURCE_ALREADY_EXISTS, 500 for INTERNAL_ERROR and any code it does not
// know.
func HTTPStatus(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// NewError returns the body MLflow's server writes for code and message,
// with the code's error class and SQL state.
func NewError(code, message string) Error {
	class := errorClass[code]
	return Error{ErrorCode: code, Message: message, ErrorClass: class, SQLState: sqlState[class]}
}

// ErrorOf returns the body and HTTP status for err: a *store.Error keeps its
// code, anything else is an INTERNAL_ERROR.
func ErrorOf(err error) (Error, int) {
	var se *store.Error
	if errors.As(err, &se) {
		return NewError(se.Code, se.Message), HTTPStatus(se.Code)
	}
	return NewError(store.CodeInternal, err.Error()), http.StatusInternalServerError
}
