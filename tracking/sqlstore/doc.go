// Package sqlstore records runs in MLflow's own SQLite database, the store
// that `mlflow ui` and `mlflow server` open by default (sqlite:///mlflow.db).
// It is pure Go (modernc.org/sqlite): no cgo, no Python.
//
// # The database
//
// Open creates a missing or empty file with MLflow's complete schema at
// alembic revision Revision (schema.sql, embedded) and MLflow's seed rows, so
// the real MLflow opens it without a migration. An existing file is used as
// it is when it has the tables and columns grove writes; every statement
// names its columns, so a database a newer MLflow upgraded keeps working.
// grove never migrates a database nor changes its alembic_version. A file
// that is not MLflow's, or is too old, or that this process may not write,
// is refused before anything is written to it.
//
// Rows are written as MLflow writes them: 32-hex-digit run ids, generated
// run names and the mlflow.runName tag, params that never change value,
// every metric point in metrics and, per key, the point with the largest
// (step, timestamp, value) in latest_metrics; NaN as 0 with is_nan set,
// ±Inf as ±math.MaxFloat64. Dataset inputs, MLflow 3 logged models and a
// run's output models go to MLflow's tables for them.
//
// # Artifacts
//
// Experiment <id> keeps its artifacts in <artifact root>/<id>, by default
// the folder mlruns beside the database. A run's artifact URI is
// <experiment location>/<run id>/artifacts, a logged model's
// <experiment location>/models/<model id>/artifacts; Artifacts returns a
// tracking/artifact.Local for either. grove writes no meta.yaml files,
// which would make MLflow take the folder for its legacy file store.
//
// # Many processes
//
// The database is in WAL mode, so readers never block the writer. Every
// write is one transaction begun with BEGIN IMMEDIATE: writers queue on
// SQLite's lock (busy timeout 20 s, then a few retries) instead of failing
// when the processes of a sweep log at the same moment. WAL shares memory
// through mlflow.db-shm, so mlflow.db must stay on a local disk, not a
// network file system; runs logged from several machines belong on an
// MLflow tracking server (tracking/rest).
//
// # How it is built
//
// Every statement runs on a connection of the internal package lite, opened
// by openConn with one list of pragmas (tx.go): one writer, used under a
// mutex by Store.write, the one transaction loop; a pool of read-only
// connections for Store.read (read.go); and two for the checkpointer, a
// goroutine that copies the WAL into the database file once it passes 16 MB
// (checkpoint.go), so no logging call waits for that copy. Writes and short
// reads are per entity (experiments.go, runs.go, metrics.go, inputs.go,
// models.go). SearchRuns (search.go) selects and orders runs in SQL that
// package tracking/search renders from MLflow's filter and order_by (the
// default order, newest first, is sorted on small integer keys), keeps
// that order between the pages of a listing (order.go), and fills a
// page's runs with one query per table (page.go).
//
// What each path costs, the benchmarks that measure it, and the designs
// measured and left are in bench/README.md of the repository.
package sqlstore
