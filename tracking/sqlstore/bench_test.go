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

// BenchmarkLogBatch10000 logs 10,000 metric points (10 keys, 1000 steps):
// whole, in one transaction, as grove's client sends them to this store,
// and split, in ten batches of MLflow's 1000-metric limit, as MLflow's
// client and grove's REST store send them.
func BenchmarkLogBatch10000(b *testing.B) {
	ctx := context.Background()
	for _, whole := range []bool{true, false} {
		b.Run(map[bool]string{true: "whole", false: "split"}[whole], func(b *testing.B) {
			s := newStore(b)
			id := newRun(b, s, "bench").Info.RunID
			batch := make([]store.Metric, 10*store.MaxBatchMetrics)
			step := int64(0)
			cpu0 := cpuTime()
			for b.Loop() {
				for j := range batch {
					batch[j] = store.Metric{Key: fmt.Sprintf("metric_%d", j%10), Value: float64(j), Timestamp: step + int64(j/1000), Step: step + int64(j/10)}
				}
				step += int64(len(batch) / 10)
				if whole {
					if err := s.LogWholeBatch(ctx, id, batch, nil, nil); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for part := range slices.Chunk(batch, store.MaxBatchMetrics) {
					if err := s.LogBatch(ctx, id, part, nil, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, cpu0)
		})
	}
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

// seedRuns adds n finished runs to experiment exp in one transaction, each
// with the rows LogBatch and CreateRun would write: 3 params, 3 metrics
// (history and latest) and 3 tags. Logging them one by one would make the
// benchmark's setup take a minute.
func seedRuns(tb testing.TB, s *Store, exp int64, n int) {
	tb.Helper()
	ctx := context.Background()
	root := s.ArtifactRoot()
	err := s.write(ctx, func(t tx) error {
		for i := range n {
			id := newUUIDHex()
			name := store.GenerateRunName()
			if err := t.exec(`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)`,
				id, name, int64(i), int64(i+1), fmt.Sprintf("%s/%d/%s/artifacts", root, exp, id), exp); err != nil {
				return err
			}
			if err := setTags(t, id, []store.Tag{{Key: "mlflow.runName", Value: name}, {Key: "mlflow.user", Value: "bench"}, {Key: "estimator_name", Value: "RandomForestClassifier"}}); err != nil {
				return err
			}
			if err := logParams(t, id, []store.Param{{Key: "n_estimators", Value: "100"}, {Key: "max_depth", Value: "None"}, {Key: "seed", Value: fmt.Sprint(i)}}); err != nil {
				return err
			}
			if err := logMetrics(t, id, exp, []store.Metric{{Key: "accuracy", Value: 0.9, Timestamp: int64(i)}, {Key: "f1", Value: 0.8, Timestamp: int64(i)}, {Key: "loss", Value: 0.1, Timestamp: int64(i)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSearchRuns10000 lists every run of an experiment with 10,000 runs
// (each with 3 params, 3 metrics and 3 tags), page after page: in pages of
// 1000, MLflow's default page size, and in one page of 10,000, the page
// size of mlflow.search_runs and of grove's own listings.
func BenchmarkSearchRuns10000(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	exp, _ := s.CreateExperiment(ctx, "big", "", nil)
	seedRuns(b, s, 1, 10000)
	for _, size := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("page=%d", size), func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				n, tok := 0, ""
				for {
					runs, next, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}, MaxResults: size, PageToken: tok})
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
		})
	}
}

// BenchmarkSearchRunsFilter asks for the first page of 100 runs of a filter
// and an order over an experiment of 1,000 runs with 10 params, 10 metrics
// and 5 tags each, the search of the tracking server's speed target:
// varied, with a new threshold each time, so that every search finds its
// runs and their order again, as different clients' searches do; repeated,
// the same search, whose order the connection kept.
func BenchmarkSearchRunsFilter(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	exp, _ := s.CreateExperiment(ctx, "filter", "", nil)
	expID, err := parseExperimentID(exp)
	if err != nil {
		b.Fatal(err)
	}
	root := s.ArtifactRoot()
	err = s.write(ctx, func(t tx) error {
		for i := range 1000 {
			id := newUUIDHex()
			if err := t.exec(`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)`,
				id, fmt.Sprintf("run-%d", i), int64(1767225600000+i), int64(1767225700000+i), fmt.Sprintf("%s/%s/%s/artifacts", root, exp, id), exp); err != nil {
				return err
			}
			var ms []store.Metric
			var ps []store.Param
			ts := []store.Tag{{Key: store.TagRunName, Value: fmt.Sprintf("run-%d", i)}}
			for k := range 10 {
				ms = append(ms, store.Metric{Key: fmt.Sprintf("m%d", k), Value: float64((i*7+k*13)%1000) / 1000, Timestamp: 1})
				ps = append(ps, store.Param{Key: fmt.Sprintf("p%d", k), Value: fmt.Sprintf("v%d", (i+k)%5)})
			}
			for k := range 4 {
				ts = append(ts, store.Tag{Key: fmt.Sprintf("t%d", k), Value: fmt.Sprintf("w%d", (i*k)%7)})
			}
			if err := setTags(t, id, ts); err != nil {
				return err
			}
			if err := logParams(t, id, ps); err != nil {
				return err
			}
			if err := logMetrics(t, id, expID, ms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, varied := range []bool{true, false} {
		b.Run(map[bool]string{true: "varied", false: "repeated"}[varied], func(b *testing.B) {
			i := 0
			cpu0 := cpuTime()
			for b.Loop() {
				threshold := 0.3
				if varied {
					threshold += float64(i%50) / 1000
				}
				i++
				runs, next, err := s.SearchRuns(ctx, store.RunQuery{
					ExperimentIDs: []string{exp},
					Filter:        fmt.Sprintf("metrics.m0 > %g and params.p1 = 'v1' and tags.t2 LIKE 'w%%'", threshold),
					OrderBy:       []string{"metrics.m2 DESC"},
					MaxResults:    100,
				})
				if err != nil || len(runs) != 100 || next == "" {
					b.Fatalf("%d runs, next %q, %v", len(runs), next, err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}
