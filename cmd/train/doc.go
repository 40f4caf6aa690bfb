// Command train is grove's main job: it loads the bundled Iris table or a CSV
// file, splits it as scikit-learn's train_test_split does, trains a random
// forest (package models/forest), evaluates it and records the run into
// MLflow through package tracking/autolog: params, metrics, tags, the
// confusion-matrix pictures, the model, this program's source and the data
// it saw, plus the experiment's cross-run metrics chart (metrics_report.html).
//
//	go run ./cmd/train -test-size 0.2
//	go run ./cmd/train -data plants.csv -target species -stratify -trees 300
//	go run ./cmd/train -run-id ID -metric accuracy_on_new_data=0.98
//	go run ./cmd/train -data train.csv -test-data test.csv -no-track -json
//
// Runs go to -tracking-uri, else $MLFLOW_TRACKING_URI, else
// sqlite:///mlflow.db in the working directory, where `mlflow ui
// --backend-store-uri sqlite:///mlflow.db` shows them. Besides the forest's
// hyper-parameters, each run records the command's own choices as params
// (test_size or test_data, split_seed, stratify, data_source, data_rows,
// data_features, data_classes, train_rows, test_rows), so runs of a sweep can
// be told apart and charted. With -no-track nothing is opened or written:
// the command trains, evaluates and prints, which is how speed is compared.
//
// The summary lists the data, the split, a table of training and test
// metrics, the classification report, the run and how to look at it; -json
// prints one flat JSON object instead (fit_seconds, predict_seconds, every
// metric by name, run_id, experiment_id, artifact_uri, ...); with -no-track,
// predict_seconds times Predict on the test set alone, as other libraries'
// predictions are timed, and with tracking it is autolog's figure, which
// includes the class probabilities. While a forest
// takes more than a second to grow, a progress bar is drawn on stderr, but
// only when stderr is a terminal.
//
// The run is marked FINISHED only when all of that is recorded; a failure on
// the way marks it FAILED and a signal KILLED, with the error in the run's
// error_message.txt.
//
// main is a thin shell over run(ctx, args, stdout, stderr), which the tests
// call directly; the exit status says how it went: 0 done, 2 a bad command
// line (one line naming the flag and what it accepts), 1 any other failure
// (one line, such as the CSV reader's file, line, column and text), and 128
// plus the signal's number when SIGINT (130, Ctrl-C), SIGTERM (143) or SIGHUP
// (129) stopped it (a tracked run is then marked KILLED). Run with -h for the
// flags.
package main
