package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// After the first Ctrl-C, a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err as one line and maps it to the command's exit status:
// 0 done (or help shown), 2 bad command line, 130 interrupted, 1 any other
// failure.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "train: %s\n", oneLine(err.Error()))
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "train: interrupted")
		return 130
	default:
		fmt.Fprintf(stderr, "train: %s\n", oneLine(err.Error()))
		return 1
	}
}

// oneLine keeps a wrapped multi-line message to the one line promised.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// job is what the command learned along the way; the summary and the JSON
// object are both printed from it.
type job struct {
	Data        string `json:"data"`
	Rows        int    `json:"rows"`
	Features    int    `json:"features"`
	Classes     int    `json:"classes"`
	TrainRows   int    `json:"train_rows"`
	TestRows    int    `json:"test_rows"`
	TestSize    any    `json:"test_size,omitempty"`
	Seed        uint64 `json:"seed"`
	Stratify    bool   `json:"stratify"`
	classNames  []string
	testDataSrc string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	train, test, j, err := load(ctx, o)
	if err != nil {
		return err
	}
	_, _ = train, test
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	}
	printSummary(stdout, j)
	return nil
}

// load reads the data and splits it, or reads the separate test file.
func load(ctx context.Context, o *options) (train, test *datasets.Dataset, j *job, err error) {
	var ds *datasets.Dataset
	j = &job{Seed: o.seed, Stratify: o.stratify}
	if o.data == "" {
		ds = iris.Load()
		j.Data = iris.Source
	} else {
		ds, err = datasets.ReadCSV(o.data, datasets.CSVOptions{Target: o.target})
		if err != nil {
			return nil, nil, nil, err
		}
		j.Data = o.data
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	j.Rows, j.Features, j.Classes, j.classNames = ds.Rows(), ds.Features(), ds.Classes(), ds.ClassNames
	if o.testData != "" {
		test, err = datasets.ReadCSV(o.testData, datasets.CSVOptions{Target: ds.TargetName, ClassNames: ds.ClassNames})
		if err != nil {
			return nil, nil, nil, err
		}
		if test.Features() != ds.Features() {
			return nil, nil, nil, fmt.Errorf("-test-data %s has %d features, -data %s has %d", o.testData, test.Features(), o.data, ds.Features())
		}
		j.testDataSrc = o.testData
		j.TrainRows, j.TestRows = ds.Rows(), test.Rows()
		return ds, test, j, nil
	}
	j.TestSize = o.testSize
	opt := datasets.SplitOptions{TestSize: o.testSize, Seed: o.seed, Stratify: o.stratify}
	train, test, err = datasets.Split(ds, opt)
	if err != nil {
		// Phrase the failure in the flags' words: the user chose the
		// size, the data decided it cannot be honoured.
		msg := strings.TrimPrefix(err.Error(), "datasets: cannot split: ")
		msg = strings.Replace(msg, "test size ", "-test-size ", 1)
		if o.stratify && !strings.HasPrefix(msg, "-test-size") {
			msg = "-stratify: " + msg
		}
		return nil, nil, nil, usagef("%s", msg)
	}
	j.TrainRows, j.TestRows = train.Rows(), test.Rows()
	return train, test, j, nil
}

func printSummary(w io.Writer, j *job) {
	fmt.Fprintf(w, "data:   %s, %d rows x %d features, %d classes (%s)\n", j.Data, j.Rows, j.Features, j.Classes, strings.Join(j.classNames, ", "))
	if j.testDataSrc != "" {
		fmt.Fprintf(w, "split:  %d train rows, %d test rows from %s\n", j.TrainRows, j.TestRows, j.testDataSrc)
		return
	}
	how := "shuffled"
	if j.Stratify {
		how = "stratified"
	}
	fmt.Fprintf(w, "split:  %d train / %d test rows (test size %g, %s, seed %d)\n", j.TrainRows, j.TestRows, j.TestSize, how, j.Seed)
}
