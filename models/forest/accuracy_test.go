package forest

import (
	"context"
	"os"
	"testing"
	"time"
)

// sklearnMean is scikit-learn 1.2.1's mean test accuracy over seeds 0..4 on
// the shared bench splits (100 trees, defaults), measured on this project's
// machine; grove must reach it less half a point.
var sklearnMean = map[string]float64{
	"iris":          0.916,
	"digits":        0.967,
	"breast_cancer": 0.955,
	"synth_20k":     0.937,
	"synth_200k":    0.976,
}

// TestAccuracyQuick checks the accuracy bar on the two small splits kept in
// testdata, with fewer seeds than the full check so it stays fast.
func TestAccuracyQuick(t *testing.T) {
	for _, name := range []string{"iris", "breast_cancer"} {
		t.Run(name, func(t *testing.T) {
			train := readTable(t, "testdata/"+name+"_train.csv")
			test := readTable(t, "testdata/"+name+"_test.csv")
			var sum float64
			const seeds = 5
			for seed := int64(0); seed < seeds; seed++ {
				f := New(Config{Seed: seed})
				if err := f.Fit(context.Background(), train.X, train.y, train.classes); err != nil {
					t.Fatal(err)
				}
				sum += accuracy(t, mustPredict(t, f, test.X), test.y)
			}
			mean := sum / seeds
			if bar := sklearnMean[name] - 0.005; mean < bar {
				t.Errorf("mean test accuracy %.4f, want at least %.4f", mean, bar)
			}
		})
	}
}

// TestAccuracyBench runs the full accuracy bar over every shared bench split
// (seeds 0..4, 2 workers). It takes minutes, so it runs only when
// GROVE_BENCH=1.
func TestAccuracyBench(t *testing.T) {
	if os.Getenv("GROVE_BENCH") == "" {
		t.Skip("set GROVE_BENCH=1 to run the accuracy bar over ../shared/bench")
	}
	names := []string{"iris", "digits", "breast_cancer", "synth_20k", "synth_200k"}
	if only := os.Getenv("GROVE_BENCH_ONLY"); only != "" {
		names = []string{only}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			train := readTable(t, sharedBench(t, name+"_train.csv"))
			test := readTable(t, sharedBench(t, name+"_test.csv"))
			var sum float64
			const seeds = 5
			for seed := int64(0); seed < seeds; seed++ {
				f := New(Config{Seed: seed, Workers: 2})
				start := time.Now()
				if err := f.Fit(context.Background(), train.X, train.y, train.classes); err != nil {
					t.Fatal(err)
				}
				fit := time.Since(start)
				acc := accuracy(t, mustPredict(t, f, test.X), test.y)
				t.Logf("seed %d: accuracy %.4f, fit %.3fs, %s", seed, acc, fit.Seconds(), describe(f))
				sum += acc
			}
			mean := sum / seeds
			bar := sklearnMean[name] - 0.005
			t.Logf("mean accuracy %.4f (scikit-learn %.3f)", mean, sklearnMean[name])
			if mean < bar {
				t.Errorf("mean test accuracy %.4f, want at least %.4f", mean, bar)
			}
		})
	}
}
