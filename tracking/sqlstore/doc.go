// Package sqlstore records runs in MLflow's own SQLite database, the store
// that `mlflow ui` and `mlflow server` open by default (sqlite:///mlflow.db).
// It is pure Go (modernc.org/sqlite): no cgo, no Python.
//
// # The database
//
// Open creates a missing or empty file with MLflow's complete schema at alembic
// revision Revision (schema.sql, embedded: every table, index and trigger the
// real MLflow creates, not only the ones grove writes) and MLflow's seed rows:
// the alembic_version row, workspace "default" and experiment 0 "Default". The
// real MLflow then opens the file without a migration step.
//
// An existing file is used as it is when it has the tables and columns grove
// writes; every statement names its columns, so a database a newer MLflow has
// upgraded keeps working. grove never migrates a database nor changes its
// alembic_version. A file that is not an SQLite database, an SQLite database
// that is not MLflow's, or an MLflow database too old for grove is refused
// before anything is written to it.
//
// Rows are written as MLflow writes them: run ids are 32 hex digits, runs get
// an adjective-noun-number name when none is given (GenerateName) and the
// mlflow.runName tag, params never change value, every metric point is kept
// in metrics and latest_metrics holds, per key, the point with the largest
// (step, timestamp, value). NaN is stored as 0 with is_nan set and ±Inf as
// ±math.MaxFloat64, which is also how they read back, as in MLflow. Dataset
// inputs go to datasets, inputs and input_tags; MLflow 3 logged models to
// logged_models and its params, tags and metrics tables, and a run's output
// model is an inputs row RUN_OUTPUT -> MODEL_OUTPUT.
//
// # Artifacts
//
// Experiment <id> keeps its artifacts in <artifact root>/<id>, by default the
// folder mlruns beside the database, made absolute. A run's artifact URI is
// <experiment location>/<run id>/artifacts and a logged model's
// <experiment location>/models/<model id>/artifacts. Artifacts returns a
// tracking/artifact.Local for them. grove writes no meta.yaml files, which
// would make MLflow take the folder for its legacy file store.
//
// # Many processes
//
// The database is in WAL mode, so readers never block the writer. Every write
// is one transaction begun with BEGIN IMMEDIATE, so writers queue on SQLite's
// lock (busy timeout 20 s, then a few retries) instead of failing when two
// processes of a sweep log at the same moment. Foreign keys are on.
//
// # Speed
//
// Targets, checked by the package's benchmarks: one metric logged in under
// 0.2 ms (median), a batch of 10,000 metrics in under 100 ms, the history of
// a 100,000-point metric in under 100 ms, the runs of an experiment with
// 10,000 runs listed in under 200 ms.
package sqlstore
