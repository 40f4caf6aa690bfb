package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
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
