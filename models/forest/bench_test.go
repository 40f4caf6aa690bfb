package forest

import (
	"context"
	"testing"
	"time"
)

// reportCPU adds the process CPU time per iteration since start, which a
// loaded machine disturbs less than wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// benchFit fits a forest of the given number of trees with 2 workers on the
// CSV at path, a new seed each iteration.
func benchFit(b *testing.B, path string, trees int) {
	b.Helper()
	train := readTable(b, path)
	b.ResetTimer()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for i := 0; i < b.N; i++ {
		f := New(Config{Trees: trees, Seed: int64(i), Workers: 2})
		if err := f.Fit(context.Background(), train.X, train.y, train.classes); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPredict fits a forest of the given number of trees with 2 workers
// on trainPath, untimed, then times predicting testPath.
func benchPredict(b *testing.B, trainPath, testPath string, trees int) {
	b.Helper()
	train := readTable(b, trainPath)
	test := readTable(b, testPath)
	f := New(Config{Trees: trees, Workers: 2})
	if err := f.Fit(context.Background(), train.X, train.y, train.classes); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for i := 0; i < b.N; i++ {
		if _, err := f.Predict(test.X); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitSynth20k fits 100 trees with 2 workers on synth_20k's
// training split (15000 rows, 20 features, 3 classes).
func BenchmarkFitSynth20k(b *testing.B) {
	benchFit(b, sharedBench(b, "synth_20k_train.csv"), 100)
}

// BenchmarkPredictSynth20k predicts synth_20k's test split (5000 rows) with
// a 100-tree forest.
func BenchmarkPredictSynth20k(b *testing.B) {
	benchPredict(b, sharedBench(b, "synth_20k_train.csv"), sharedBench(b, "synth_20k_test.csv"), 100)
}

// BenchmarkFitBreastCancer fits 100 trees with 2 workers on the small
// breast_cancer split kept in testdata, where fixed costs dominate.
func BenchmarkFitBreastCancer(b *testing.B) {
	benchFit(b, "testdata/breast_cancer_train.csv", 100)
}

// BenchmarkFitSynth200k fits 10 trees (a tenth of the bench setting, to
// keep a run short) with 2 workers on synth_200k's training split, which is
// generated rather than stored: see ../shared/bench/README.md, and point
// GROVE_BENCH_DATA at its folder when it is not in ../shared/bench.
func BenchmarkFitSynth200k(b *testing.B) {
	benchFit(b, sharedBench(b, "synth_200k_train.csv"), 10)
}

// BenchmarkPredictSynth200k predicts synth_200k's test split (50000 rows)
// with a 10-tree forest; see BenchmarkFitSynth200k for the data.
func BenchmarkPredictSynth200k(b *testing.B) {
	benchPredict(b, sharedBench(b, "synth_200k_train.csv"), sharedBench(b, "synth_200k_test.csv"), 10)
}

// BenchmarkFitDigits fits 100 trees with 2 workers on the digits split
// (1347 rows, 64 features, 10 classes) in ../shared/bench.
func BenchmarkFitDigits(b *testing.B) {
	benchFit(b, sharedBench(b, "digits_train.csv"), 100)
}
