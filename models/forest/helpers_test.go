package forest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// table is a benchmark split as the tests read it: features, class codes
// and the class count.
type table struct {
	X       *mat.Dense
	y       []int
	classes int
}

// readTable reads a bench CSV (header f0..,target; numeric cells; integer
// class last). The tests keep their own reader so they do not depend on
// the datasets package's.
func readTable(tb testing.TB, path string) table {
	tb.Helper()
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		tb.Fatalf("%s: no header", path)
	}
	cols := len(strings.Split(sc.Text(), ",")) - 1
	var data []float64
	var y []int
	classes := 0
	for line := 2; sc.Scan(); line++ {
		cells := strings.Split(sc.Text(), ",")
		if len(cells) != cols+1 {
			tb.Fatalf("%s:%d: %d cells, want %d", path, line, len(cells), cols+1)
		}
		for _, c := range cells[:cols] {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				tb.Fatalf("%s:%d: %v", path, line, err)
			}
			data = append(data, v)
		}
		c, err := strconv.Atoi(cells[cols])
		if err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		y = append(y, c)
		classes = max(classes, c+1)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return table{X: mat.NewDense(len(y), cols, data), y: y, classes: classes}
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

func accuracy(pred, y []int) float64 {
	ok := 0
	for i := range y {
		if pred[i] == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
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
