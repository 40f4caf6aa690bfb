// Command server is MLflow's tracking server in one Go binary: the REST API
// of package tracking/server over the SQLite database cmd/train writes, so
// that MLflow's clients (Python with MLFLOW_TRACKING_URI=http://..., grove
// with -tracking-uri http://...) log to it and read from it, and `mlflow ui`
// and this server can take turns on the same mlflow.db.
//
//	go run ./cmd/server
//	go run ./cmd/server -backend-store-uri sqlite:///runs/mlflow.db -artifacts-destination runs/mlruns
//	go run ./cmd/server -host 0.0.0.0 -allowed-hosts mlflow.example.com -auth-file team.htpasswd
//
// The flags follow `mlflow server`: -backend-store-uri (sqlite:///mlflow.db),
// -artifacts-destination (./mlruns, where cmd/train puts artifacts),
// -host (127.0.0.1), -port (5000), -allowed-hosts and -cors-allowed-origins
// (comma-separated), -serve-artifacts (on: clients up- and download
// artifacts through the server), and -auth-file, an htpasswd file of bcrypt
// hashes (htpasswd -B) that makes every request need HTTP basic
// credentials, which MLflow's clients send from MLFLOW_TRACKING_USERNAME and
// MLFLOW_TRACKING_PASSWORD.
//
// Requests whose Host header is not loopback, a private network address or
// listed in -allowed-hosts are refused (DNS rebinding); no CORS headers are
// sent to origins not listed, and their pages cannot change anything;
// headers must arrive within 10 seconds and request bodies are bounded.
// Binding another address than loopback without -auth-file prints a warning:
// anyone who reaches the port can read and write every run.
//
// Ctrl-C or SIGTERM stops accepting requests, lets those in flight finish
// (for at most 10 seconds) and closes the database. A port in use exits
// with status 2, a store that cannot be opened with status 1, each with one
// line on stderr.
package main
