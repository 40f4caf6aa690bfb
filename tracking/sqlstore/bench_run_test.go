package sqlstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// BenchmarkRunLifecycle records one run as grove's autolog does, apart from
// its metric points: create it with its tags, log its params and tags in one
// batch, end it.
func BenchmarkRunLifecycle(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	exp, err := s.CreateExperiment(ctx, "bench", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	params := make([]store.Param, 12)
	tags := make([]store.Tag, 6)
	for i := range params {
		params[i] = store.Param{Key: fmt.Sprintf("param_%d", i), Value: fmt.Sprint(i)}
	}
	for i := range tags {
		tags[i] = store.Tag{Key: fmt.Sprintf("tag_%d", i), Value: "value"}
	}
	cpu0 := cpuTime()
	for b.Loop() {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, UserID: "bench", StartTime: 1,
			Tags: []store.Tag{{Key: "mlflow.user", Value: "bench"}, {Key: "mlflow.source.name", Value: "train.go"}}})
		if err == nil {
			err = s.LogBatch(ctx, r.Info.RunID, nil, params, tags)
		}
		if err == nil {
			_, err = s.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, 2, "")
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}
