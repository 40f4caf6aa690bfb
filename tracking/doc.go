// Package tracking is the client grove users hold to record training runs
// where MLflow reads them: experiments, runs, params, metrics, tags,
// artifacts, dataset inputs and MLflow 3 logged models.
//
// # Stores and URIs
//
// Open picks a store by tracking URI, as MLflow does:
//
//	""                              $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db
//	sqlite:///mlflow.db             MLflow's SQLite schema in a file relative to the
//	                                working directory (package tracking/sqlstore);
//	                                artifacts in ./mlruns/<experiment id>/<run id>/artifacts
//	sqlite:////abs/path/mlflow.db   the same with an absolute path (four slashes)
//	http://host:5000, https://...   an MLflow tracking server (package tracking/rest),
//	                                with MLFLOW_TRACKING_TOKEN or
//	                                MLFLOW_TRACKING_USERNAME/PASSWORD
//
// A Databricks workspace (databricks, databricks://<profile>) and other
// schemes are refused with ErrUnsupportedURI. MLflow's legacy file store
// (a file: URI or a plain folder such as ./mlruns) is refused with
// ErrFileStore: MLflow itself no longer writes it by default, and a folder
// of meta.yaml files next to mlflow.db would make MLflow read the wrong
// store. NewClient wraps any other store.Store.
//
// # What the client adds to a store
//
// A store.Store records what it is given. The Client checks everything
// first with MLflow's rules (ValidateKey, ValidateParam, ValidateTag,
// ValidateMetric: keys of at most 250 letters, digits and "_-. :/" that no
// path would rewrite), so a bad name fails with INVALID_PARAMETER_VALUE before
// anything is written and whatever the store. A param value over 6000
// characters or a tag value over 8000 (a run's, or a logged model's) is cut
// to the limit with one warning on the client's logger, as MLflow does,
// unless MLFLOW_TRUNCATE_LONG_VALUES is false: then it is refused. It
// splits batches to MLflow's limits (1000 metrics, 100 params, 100 tags,
// 1000 items a request), stamps
// metrics with the current time, names runs that have no name
// (store.GenerateRunName) and sets the tags MLflow's own client sets when it
// starts a run: mlflow.runName, mlflow.user, mlflow.source.name,
// mlflow.source.type and, when known, mlflow.source.git.commit.
//
// # Runs
//
// GetOrCreateExperiment and StartRun give a Run handle; the program logs
// through it (LogParam, LogMetric, SetTag, LogArtifactFile, LogModel, ...)
// and ends it with End(FINISHED, FAILED or KILLED). Client.LogMetrics adds
// metrics computed later to any run by id, finished or not: MLflow's custom
// metrics. GetRun, SearchRuns (every page) and MetricHistory read back;
// SearchRunsWith takes a filter and an order in MLflow's search syntax,
// such as "metrics.acc > 0.9 and params.criterion = 'gini'" ordered by
// "metrics.acc DESC", which every store answers as MLflow's does.
//
// # The spool
//
// A program whose tracking server cannot be reached (Unreachable) can go
// on into the spool: OpenSpool opens MLflow's SQLite schema in the folder
// $GROVE_SPOOL, else grove/spool under the user's cache folder; SpoolURI
// names it, GROVE_SPOOL=off turns it off (ErrSpoolOff), and SyncCommand
// spells the cmd/sync command that sends its runs on (package
// tracking/sync).
//
// # Logged models
//
// Run.LogModel records an MLflow 3 logged model: created PENDING with the run
// as its source, linked to the run as an output, its files written under
// <experiment artifact location>/models/<model id>/artifacts, then READY.
// Package tracking/mlmodel writes and reads the metadata file MLflow keeps
// beside the files. Package tracking/autolog builds on all of this to record a
// training run the way MLflow's scikit-learn autolog does.
package tracking
