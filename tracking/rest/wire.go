package rest

import "github.com/grove-ml/grove/tracking/api"

// wError is MLflow's error body as the client reads it (package api defines
// the wire format; this name keeps the client's error handling short).
type wError = api.Error
