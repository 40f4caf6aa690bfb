// Package api is MLflow's REST wire format, defined once for grove's client
// (package tracking/rest) and its server (package tracking/server): the JSON
// shapes of requests and answers, the conversions to and from the entities
// of package tracking/store, and MLflow's error bodies with the HTTP status
// of each error code.
//
// The shapes follow MLflow's protobuf messages as its server writes them:
// field names as in the .proto files, int64 fields as JSON numbers (strings
// are read too, as protobuf's JSON mapping allows), enums by name
// (FINISHED, LOGGED_MODEL_READY), NaN and infinities as "NaN", "Infinity"
// and "-Infinity", empty lists and unset optional fields left out.
package api
