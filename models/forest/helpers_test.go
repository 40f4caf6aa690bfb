package forest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/internal/sharedtest"
)

// table is a benchmark split as the tests read it: features, class codes
// and the class count.
type table struct {
	X       *mat.Dense
	y       []int
	classes int
}

// readTable reads a bench CSV (header f0..,target; integer classes).
func readTable(tb testing.TB, path string) table {
	tb.Helper()
	ds, err := datasets.ReadCSV(path, datasets.CSVOptions{Target: "target"})
	if err != nil {
		tb.Fatal(err)
	}
	return table{X: ds.X, y: ds.Y, classes: ds.Classes()}
}

// sharedBench returns the path of a file in ../shared/bench beside the
// repository, or skips the test when it is not there (a user's clone).
func sharedBench(tb testing.TB, name string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "bench", name)
	if _, err := os.Stat(p); err != nil {
		if dir := os.Getenv("GROVE_BENCH_DATA"); dir != "" {
			p = filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		tb.Skipf("%s not found (shared bench data is not beside this clone)", name)
	}
	return p
}

func accuracy(tb testing.TB, pred, y []int) float64 {
	tb.Helper()
	a, err := evaluate.Accuracy(y, pred)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func mustPredict(tb testing.TB, f *Forest, X mat.Matrix) []int {
	tb.Helper()
	p, err := f.Predict(X)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func describe(f *Forest) string {
	return fmt.Sprintf("%d trees, %d nodes", f.Trees(), f.Nodes())
}

func fitOrFatal(t testing.TB, cfg Config, tb table) *Forest {
	t.Helper()
	f := New(cfg)
	if err := f.Fit(context.Background(), tb.X, tb.y, tb.classes); err != nil {
		t.Fatal(err)
	}
	return f
}

func saved(t testing.TB, f *Forest) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTestdataMatchesShared checks that the bench splits copied into
// testdata, which the tests read so that they run in a user's clone, are
// still the files in ../shared/bench.
func TestTestdataMatchesShared(t *testing.T) {
	names, err := filepath.Glob("testdata/*.csv")
	if err != nil || len(names) == 0 {
		t.Fatalf("no CSV files in testdata (%v)", err)
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			sharedtest.SameAsSource(t, name, "bench/"+filepath.Base(name))
		})
	}
}
