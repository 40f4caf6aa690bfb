// Command sync copies experiments, runs, artifacts and logged models from
// one tracking store to another (package tracking/sync): it pushes runs
// recorded offline in grove's spool to a tracking server, backs a server up
// into a SQLite file, or merges two SQLite files.
//
//	go run ./cmd/sync -from sqlite:///$HOME/.cache/grove/spool/mlflow.db -to http://127.0.0.1:5000
//	go run ./cmd/sync -from http://mlflow.example.com -to sqlite:///backup.db -experiment random_forest
//	go run ./cmd/sync -from sqlite:///a.db -to sqlite:///b.db -dry-run
//
// A second sync copies nothing: each copy carries the tag
// grove.sync.source_run_id and is marked grove.sync.state=complete last.
// An interrupted sync (Ctrl-C, the server gone away) leaves partial copies
// that the next sync completes. -dry-run lists what would be copied.
// -delete-source deletes each source run once its copy is complete.
//
// On a terminal, a progress line shows the run being copied; at the end one
// line sums up the runs, metric points and bytes copied. Exit status: 0
// done, 1 failed (rerun to finish), 2 bad command line, 130 interrupted.
package main
