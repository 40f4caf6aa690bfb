// Package experiments holds grove's experiments: programs built on the train
// command and on the library that produce MLflow experiments worth comparing.
//
//   - sweep (go run ./experiments/sweep) trains the random forest on Iris at
//     the test sizes users compare (0.3, 0.2, 0.1, 0.05 and 0.01), one run
//     each, into one experiment, optionally several runs at once sharing one
//     mlflow.db, then prints a table of the runs and attaches the finished
//     cross-run chart to the last run.
//   - library (go run ./experiments/library) is the same job written against
//     the packages directly, in a screenful: load, split, train under
//     autolog, and add a custom metric computed afterwards.
//
// This package itself holds only the end-to-end test, which builds the
// command, runs the whole sweep into a temporary mlflow.db and reads it back
// with grove's own tracking client.
package experiments
