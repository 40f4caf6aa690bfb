package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	if cpu := cpuTime() - start; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkLogMetric logs one metric point per transaction, as a training
// loop calling log_metric does; it reports the median besides the mean.
func BenchmarkLogMetric(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	id := newRun(b, s, "bench").Info.RunID
	var times []time.Duration
	i := int64(0)
	cpu0 := cpuTime()
	for b.Loop() {
		t0 := time.Now()
		if err := s.LogBatch(ctx, id, []store.Metric{{Key: "loss", Value: 1 / float64(i+1), Timestamp: i, Step: i}}, nil, nil); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	reportCPU(b, cpu0)
}

// BenchmarkLogBatch10000 logs 10,000 metric points (10 keys, 1000 steps) as
// the tracking client sends them: ten batches of MLflow's 1000-metric limit.
func BenchmarkLogBatch10000(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	id := newRun(b, s, "bench").Info.RunID
	batch := make([]store.Metric, store.MaxBatchMetrics)
	step := int64(0)
	cpu0 := cpuTime()
	for b.Loop() {
		for range 10 {
			for j := range batch {
				batch[j] = store.Metric{Key: fmt.Sprintf("metric_%d", j%10), Value: float64(j), Timestamp: step, Step: step + int64(j/10)}
			}
			step += int64(len(batch) / 10)
			if err := s.LogBatch(ctx, id, batch, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkMetricHistory100000 reads the full history of a metric with
// 100,000 points.
func BenchmarkMetricHistory100000(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	id := newRun(b, s, "bench").Info.RunID
	batch := make([]store.Metric, store.MaxBatchMetrics)
	for k := range 100 {
		for j := range batch {
			step := int64(k*len(batch) + j)
			batch[j] = store.Metric{Key: "loss", Value: 1 / float64(step+1), Timestamp: step, Step: step}
		}
		if err := s.LogBatch(ctx, id, batch, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	for b.Loop() {
		h, err := s.GetMetricHistory(ctx, id, "loss")
		if err != nil || len(h) != 100000 {
			b.Fatalf("%d points, %v", len(h), err)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkSearchRuns10000 lists every run of an experiment with 10,000 runs
// (each with 3 params, 3 metrics and 3 tags), page after page.
func BenchmarkSearchRuns10000(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	exp, _ := s.CreateExperiment(ctx, "big", "", nil)
	for i := range 10000 {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(i), Tags: []store.Tag{{Key: "mlflow.user", Value: "bench"}, {Key: "estimator_name", Value: "RandomForestClassifier"}}})
		if err != nil {
			b.Fatal(err)
		}
		err = s.LogBatch(ctx, r.Info.RunID,
			[]store.Metric{{Key: "accuracy", Value: 0.9}, {Key: "f1", Value: 0.8}, {Key: "loss", Value: 0.1}},
			[]store.Param{{Key: "n_estimators", Value: "100"}, {Key: "max_depth", Value: "None"}, {Key: "seed", Value: fmt.Sprint(i)}}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	for b.Loop() {
		n, tok := 0, ""
		for {
			runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, PageToken: tok})
			if err != nil {
				b.Fatal(err)
			}
			n += len(runs)
			if next == "" {
				break
			}
			tok = next
		}
		if n != 10000 {
			b.Fatalf("listed %d runs", n)
		}
	}
	reportCPU(b, cpu0)
}
