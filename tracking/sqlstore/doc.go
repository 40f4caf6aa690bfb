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
// an adjective-noun-number name when none is given (store.GenerateRunName) and the
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
// The pure-Go SQLite runs statements a few times slower than the C library,
// so the hot paths avoid what it makes expensive: statements are prepared
// once per connection and cached, metric points go in as multi-row INSERTs
// (statement journals stay in memory), and long reads (a metric's history,
// pages of runs) talk to the driver directly, sort small keys in Go rather
// than whole rows in SQLite, and pass id lists as one JSON array.
//
// Benchmarks (go test -bench . -benchtime=2s -count=3 -benchmem), measured
// on the 2-core machine grove is developed on while it was shared with other
// work (load average 3 to 5), so wall times are inflated; the CPU time per
// operation, reported beside them, is closer to what an idle core gives,
// though contention inflates it too (the quietest runs are 20-30% lower).
// Targets from the issue in brackets.
//
//	                                      wall/op         CPU/op
//	BenchmarkLogMetric (median)           0.12-0.15 ms    0.14-0.18 ms   [< 0.2 ms median]
//	BenchmarkLogBatch10000                143-162 ms      118-134 ms     [< 100 ms]
//	BenchmarkMetricHistory100000          108-136 ms      109-138 ms     [< 100 ms]
//	BenchmarkSearchRuns10000 (10 pages)   0.31-0.40 s     325-416 ms     [< 200 ms]
//
// One metric per transaction meets its target. A 10,000-point batch is at
// the target on a quiet core (77-88 ms CPU in the quietest runs): each point
// is four b-tree inserts (the metrics table, its primary key and its two
// run_uuid indexes) plus the foreign-key lookup of its run, and SQLite's own
// work is three quarters of the time; the rest is binding 6 values a point.
// A 100,000-point history is about at its target likewise (84-92 ms in
// the quietest runs) and close to its floor: SQLite's own work, the same
// query aggregating instead of returning rows, is about 27 ms; returning
// each row through the driver (a step call, six locked column calls and
// three boxed values per point) doubles that to about 60 ms; counting the
// points first so the result is allocated once costs 12 ms, and the 8.8 MB
// result and its garbage the rest. Growing the result instead of counting
// was measured and is slower, as the extra garbage costs more than the
// count. MLflow's primary key (key, timestamp, step, ...) would be a
// covering index, but it is led by the key alone, so reading through it
// would walk that metric's points in every run.
//
// Listing 10,000 runs with their params, tags and latest metrics (100,000
// rows) is above its target, and MLflow's schema sets the floor: runs has
// no index on experiment_id or start_time, so every page scans the table,
// and each param, tag and metric row is an index seek on run_uuid plus a
// fetch of its table row. SQLite's part alone, the same queries counting
// instead of returning rows, is about 85 ms; handing the values to Go
// through the driver (a call and one or two allocations per value) adds
// about as much again, and collecting that garbage another 20%: about
// 210-260 ms of CPU on a quiet core. Aggregating each run's rows into one
// string in SQL (group_concat, json_group_array) was measured and is slower,
// as string building in the pure-Go SQLite costs more than the rows it
// saves; so is letting SQLite sort the page with ORDER BY ... LIMIT.
package sqlstore
