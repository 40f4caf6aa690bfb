// Package server is MLflow's tracking REST API as an http.Handler over any
// store.Store and a local artifact folder, so that MLflow's own clients
// (Python, grove's Go client, the MLflow UI) log to grove's store and read
// from it. cmd/server serves it; a Go program can mount it too.
//
// Every route is registered under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/,
// as MLflow registers them: experiments, runs, metric histories (with the
// sampled bulk history the UI's charts use), artifact listings and
// downloads, logged models, empty registry searches, and the artifact proxy
// /api/2.0/mlflow-artifacts/artifacts. Requests are decoded and answered in
// the wire format of package tracking/api and checked as MLflow checks them
// (required fields, key rules, batch limits, max_results bounds); failures
// are MLflow's error bodies with its HTTP statuses, and an unknown API path
// is its 404 ENDPOINT_NOT_FOUND.
//
// # Artifacts
//
// Locations the store keeps under Config.ArtifactRoot are shown as
// mlflow-artifacts:/<path>, so remote clients upload and download through
// the server; mlflow-artifacts:/ locations that MLflow's own server wrote
// are read from there too, and a client may only place a new experiment
// under the root. Uploads stream to a temporary file beside their target and
// are renamed into place when complete (package tracking/artifact), so a
// broken upload leaves nothing behind; every path goes through
// artifact.CleanPath, and a path that climbs out, is absolute or names a
// drive is a 400. Downloads stream with their length and type and are sent
// with Content-Security-Policy: sandbox (HTML and SVG also as attachments),
// so that an artifact never runs script in the server's origin.
//
// # Who gets in
//
// Protect wraps the API with what a server on a network needs: the Host
// check against DNS rebinding (loopback, private addresses and
// Guard.AllowedHosts), CORS headers only for listed origins, refusal of
// writes from other origins' pages, and optional HTTP basic credentials from
// an htpasswd file of bcrypt hashes.
//
// # Stores
//
// A store that implements store.Manager also gets the endpoints that delete,
// restore and rename, remove tags and search experiments and logged
// models; with another store they answer NOT_IMPLEMENTED.
package server
