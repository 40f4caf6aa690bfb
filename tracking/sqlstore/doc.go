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
// processes of a sweep log at the same moment. Foreign keys are on. Commits
// do not copy the WAL back into the database file: a goroutine of the Store
// does, in the background, each time the WAL passes 16 MB (checkpoint.go),
// so that no call to LogBatch waits for those writes and their fsyncs.
//
// WAL coordinates processes through a memory-mapped index file beside the
// database (mlflow.db-shm), which works only when every process runs on the
// machine that holds the file: keep mlflow.db on a local disk, not on a
// network file system (NFS, SMB), where SQLite's locks are unreliable. Runs
// logged from several machines belong on an MLflow tracking server
// (tracking/rest).
//
// # Speed
//
// The pure-Go SQLite runs statements a few times slower than the C library,
// so the hot paths avoid what it makes expensive. Metric points go in as
// multi-row INSERTs (statement journals stay in memory), and a batch of
// points alone, what a training loop logs, is written on a connection of
// the internal package lite: opened without SQLite's per-call mutex, it
// binds and reads values without the driver's conversions, boxing and
// locking. Long reads (a metric's history, pages of runs) run on lite
// connections too, as the driver's work per value would cost as much as a
// third of them. Every other statement goes through database/sql, prepared
// once per connection. Runs are sorted by small keys in Go rather than as
// whole rows in SQLite, and a read connection keeps the sorted order for
// the next page while PRAGMA data_version shows that nothing was committed
// since. A page's latest metrics, params and tags come from one query per
// table: through the run_uuid indexes, with the page's run ids as one JSON
// array, or, when the page holds most of the database's runs, by reading
// the table whole. store.AllRuns, which grove's own listings use, asks for
// pages of 10,000.
//
// Benchmarks (go test -run '^$' -bench . -benchtime=2s -benchmem, five
// runs) on the 2-core machine grove is developed on. Its speed drifts by a
// third from one process to the next, so the range of the five runs is
// given, as wall time and as the process's CPU time per operation (which
// includes the collector's and the checkpointer's work on the other core).
// Targets from the issue in brackets.
//
//	                                          wall/op         CPU/op
//	BenchmarkLogMetric (median)               0.08-0.09 ms    0.10-0.11 ms   [< 0.2 ms median]
//	BenchmarkLogBatch10000/whole              81-100 ms       82-104 ms      [< 100 ms]
//	BenchmarkLogBatch10000/split              123-137 ms      118-129 ms
//	BenchmarkMetricHistory100000              74-98 ms        76-101 ms      [< 100 ms]
//	BenchmarkSearchRuns10000/page=10000       92-116 ms       101-125 ms     [< 200 ms]
//	BenchmarkSearchRuns10000/page=1000        212-266 ms      223-281 ms
//
// One metric per transaction, a batch of 10,000 points sent whole (as
// grove's client sends it to this store, store.WholeBatcher), a
// 100,000-point history and a listing of 10,000 runs as grove lists them
// meet their targets; the batch and the history only just, on this
// machine.
//
// The same 10,000 points in MLflow's pieces of 1000, ten transactions,
// take a third longer. Either way SQLite's own work is four fifths of the
// time: each point is a uniqueness probe of MLflow's primary key, the
// foreign-key lookup of its run (for which SQLite opens and closes a cursor
// every row), three index inserts and a table insert, and the commit writes
// the transaction's pages to the WAL, two system calls a page. Measured and
// left: the run id bound once per statement and 8 KiB pages (no gain beyond
// the noise). Foreign keys stay on and the schema stays MLflow's.
//
// The history's floor is likewise SQLite's: its own work is three quarters
// of the time, reading each point through the (run_uuid, key, step) index
// and its table row, and counting the points first so that the result is
// allocated once (a fifth of SQLite's part). Gathering the points in pooled
// chunks instead of counting them was measured and was no faster. MLflow's
// primary key (key, timestamp, step, ...) would be a covering index, but it
// is led by the key alone, so reading through it would walk that metric's
// points in every run.
//
// Listing in pages of 1000, MlflowClient's default, takes about a quarter
// of a second: each page finds its runs' rows with a seek per run in each
// of three run_uuid indexes, about 4.5 µs a seek in the pure-Go SQLite, and
// MLflow's schema has no index that would give a page's rows in one range
// (runs has none on experiment_id either, which is why the sorted order is
// kept between pages). Aggregating each run's rows into one string in SQL
// (group_concat, json_group_array) was measured and is slower, as string
// building in the pure-Go SQLite costs more than the rows it saves; so is
// letting SQLite sort the page with ORDER BY ... LIMIT.
package sqlstore
