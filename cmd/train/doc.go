// Command train is grove's main job: it loads the bundled Iris table or a CSV
// file, splits it into training and test rows as scikit-learn's
// train_test_split does, and prints what it did.
//
//	go run ./cmd/train -test-size 0.2
//	go run ./cmd/train -data plants.csv -target species -stratify
//
// main is a thin shell over run(ctx, args, stdout, stderr), which the tests
// call directly; the exit status says how it went: 0 done, 2 a bad command
// line (one line naming the flag and what it accepts), 1 any other failure
// (one line, such as the CSV reader's file, line, column and text), 130
// interrupted by Ctrl-C. Run with -h for the flags.
package main
