package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/internal/cli"
)

// load reads the data and splits it, or reads the separate test file.
func load(ctx context.Context, o *options) (train, test *datasets.Dataset, j *job, err error) {
	var ds *datasets.Dataset
	j = &job{Seed: o.seed, Stratify: o.stratify, Metrics: map[string]float64{}}
	if o.data == "" {
		ds = iris.Load()
		j.Data = iris.Source
	} else {
		ds, err = datasets.ReadCSV(o.data, datasets.CSVOptions{Target: o.target})
		if err != nil {
			return nil, nil, nil, err
		}
		j.Data, j.source = o.data, o.data
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
		j.TestData = o.testData
		j.TrainRows, j.TestRows = ds.Rows(), test.Rows()
		return ds, test, j, nil
	}
	j.TestSize = o.testSize
	opt := datasets.SplitOptions{TestSize: o.testSize, Seed: o.seed, Stratify: o.stratify}
	train, test, err = datasets.Split(ds, opt)
	if err != nil {
		return nil, nil, nil, splitUsage(err, ds, o)
	}
	j.TrainRows, j.TestRows = train.Rows(), test.Rows()
	return train, test, j, nil
}

// splitUsage phrases a refused split in the flags' words: the user chose the
// size, the data decided it cannot be honoured, so the message names the flag
// to change and the values that would work. Errors that are not a refused
// split pass through unchanged.
func splitUsage(err error, ds *datasets.Dataset, o *options) error {
	var se *datasets.SplitError
	if !errors.As(err, &se) {
		return err
	}
	var msg string
	switch se.Reason {
	case datasets.SplitTestSizeRange:
		msg = fmt.Sprintf("-test-size must be in (0, 1), got %g", se.TestSize)
	case datasets.SplitNoTrainRows:
		msg = fmt.Sprintf("-test-size %g leaves no training rows for %d rows", se.TestSize, se.Rows)
	case datasets.SplitSingletonClass:
		msg = fmt.Sprintf("-stratify: class %q has only 1 row; a stratified split needs at least 2 in every class", se.Class)
	case datasets.SplitFewTestRows:
		msg = fmt.Sprintf("-stratify: a stratified split needs at least one test row per class: %d test rows for %d classes", se.TestRows, se.Classes)
	case datasets.SplitFewTrainRows:
		msg = fmt.Sprintf("-stratify: a stratified split needs at least one training row per class: %d training rows for %d classes", se.TrainRows, se.Classes)
	default:
		// The sizes as a row count: train never asks for one, so there is
		// no flag to name.
		return err
	}
	if lo, hi, ok := testSizeRange(ds, o.stratify); ok {
		msg += fmt.Sprintf("; -test-size must be in [%s, %s] for this data", trim4(lo), trim4(hi))
	}
	return cli.Usagef("%s", msg)
}

// testSizeRange finds the -test-size values, on a grid of 0.0001, that split
// ds: both sides need a row, and with stratify a row of every class present.
// It is only called after a split failed, to say what would work.
func testSizeRange(ds *datasets.Dataset, stratify bool) (lo, hi float64, ok bool) {
	n := ds.Rows()
	need := 1
	if stratify {
		present := map[int]bool{}
		for _, y := range ds.Y {
			present[y] = true
		}
		need = len(present)
	}
	fits := func(t float64) bool {
		train, test, err := datasets.SplitSizes(n, datasets.SplitOptions{TestSize: t})
		return err == nil && train >= need && test >= need
	}
	lo, hi = -1, -1
	for i := 1; i < 10000; i++ {
		t := float64(i) / 10000
		if fits(t) {
			if lo < 0 {
				lo = t
			}
			hi = t
		}
	}
	return lo, hi, lo > 0
}

// trim4 prints a grid value without trailing zeros.
func trim4(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
