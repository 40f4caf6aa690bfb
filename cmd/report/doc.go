// Command report draws the metrics chart of an MLflow experiment, without
// training: one interactive HTML page with a chart per metric and a line (or
// point) per run, the same page cmd/train attaches to each run it records.
//
// Usage:
//
//	report [-experiment NAME | -experiment-id ID] [-tracking-uri URI] [-o FILE]
//	       [-x auto|step|run|param:KEY] [-title TEXT] [-attach RUN_ID]
//
// The runs are read from -tracking-uri (default $MLFLOW_TRACKING_URI, else
// sqlite:///mlflow.db), an existing MLflow SQLite file or an MLflow tracking
// server; nothing is written there unless -attach names a run, whose
// experiment is then charted and which receives the page as the artifact
// metrics_report.html. The page is written to -o (default
// metrics_report.html; "-" for standard output) and one line on standard
// output says what was written. The page needs no network: open it in any
// browser. See package tracking/report for what it shows.
//
// Exit status: 0 done, 2 bad command line, 1 any other failure (a missing
// database or experiment, an unreachable server), with one line on stderr.
package main
