// Package rest records runs on an MLflow tracking server through its REST
// API, behind the same store.Store interface as the SQLite store: when the
// tracking URI is http:// or https://, grove logs experiments, runs, params,
// metric histories, tags, dataset inputs, logged models and artifacts there,
// so that many trainers can share one server (MLflow backed by a database
// and an object store, run by the team). It is a store.Manager too: runs
// and experiments are deleted and restored, experiments renamed, tags
// removed, and experiments and logged models searched over MLflow's
// endpoints for them, so a whole server can be listed, backed up and
// cleaned up (package tracking/sync).
//
// # What goes over the wire
//
// Requests have the shapes MLflow's own Python client sends, endpoint for
// endpoint (api/2.0/mlflow/experiments/..., runs/..., metrics/get-history,
// logged-models, mlflow-artifacts/artifacts/...): int64 fields as JSON
// numbers, enums by name (FINISHED, LOGGED_MODEL_READY), empty lists left
// out, NaN and infinities as "NaN" and "Infinity"; package tracking/api
// defines these shapes for this client and grove's server alike. A
// training loop's metrics go in one log-batch per call, split only where
// MLflow's limits require. Metric history always asks for pages of 25,000 points and follows
// the page tokens, because a server asked without max_results answers with
// nothing (mlflow/mlflow#23916).
//
// Artifacts go through the server's artifact proxy when a run's artifact
// URI is mlflow-artifacts:/..., the default of `mlflow server`, and to the
// folder itself (package tracking/artifact) when the server reports a local
// path, as it does when it runs with --no-serve-artifacts on this machine.
//
// # Failures
//
// An MLflow error body {error_code, message} becomes a *store.Error with both,
// inside an *Error that names the server, the endpoint and what was being
// logged, so errors.Is(err, store.ErrNotFound) holds and the message says
// what was lost. Connection errors and the answers 408, 429, 500, 502, 503
// and 504 are retried a bounded number of times (Options.MaxRetries) with
// exponential backoff and jitter, honouring Retry-After and the context.
// An attempt waits at most Options.Timeout (10 s by default) for the
// server to answer or to send more of its answer, and a call waits at most
// Options.CallTimeout (twice that) for an answer to begin over all its
// attempts and waits, so a server that accepts connections and never
// answers costs 20 s with the defaults, whatever the retries, and an error
// that names the server, the request and the time waited; a download that
// keeps coming is read to its end. A cancelled context (Ctrl-C) ends a call
// at once.
//
// A request is sent again after a failure that may have followed its
// arrival only when sending it twice is harmless: reads, log-batch (MLflow
// keeps one copy of a metric point sent twice with the same key, value,
// timestamp and step, and of a param or tag sent twice with the same value;
// a retry sends the same bytes), tags, run updates, model finalisation,
// artifact uploads, and the deletes and restores of runs, experiments and
// tags (the server ends as after the first; when a first attempt was
// applied and its answer lost, an experiment found in the stage asked for
// counts as done, a run tag already removed is reported not found).
// Creating an experiment, run or logged model, linking a model to a run and
// adding a logged model's params are sent again only when the request
// surely never reached the server (the connection could not be made) or it
// answered 429 or 503. A server that is down costs about a second with the defaults,
// then one error.
//
// # Authentication
//
// OptionsFromEnv reads MLflow's variables: MLFLOW_TRACKING_TOKEN (bearer),
// MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic),
// MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH (a private
// CA's PEM file), MLFLOW_HTTP_REQUEST_TIMEOUT and
// MLFLOW_HTTP_REQUEST_MAX_RETRIES, refusing numbers it cannot read. Requests carry the host of the tracking
// URI in their Host header; a server started with --allowed-hosts that does
// not list it answers 403, which the error explains.
package rest
