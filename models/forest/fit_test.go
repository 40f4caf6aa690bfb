package forest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestDeterministicAcrossWorkers(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	cfgs := map[string]Config{
		"defaults":  {Trees: 20, Seed: 7},
		"oob":       {Trees: 20, Seed: 7, OOBScore: true, ClassWeight: "balanced_subsample"},
		"entropy":   {Trees: 10, Seed: 3, Criterion: Entropy, MaxFeatures: "0.5", MinSamplesLeaf: 3},
		"noBoot":    {Trees: 10, Seed: 3, NoBootstrap: true, MaxDepth: 4},
		"maxSample": {Trees: 10, Seed: 3, MaxSamples: "100", ClassWeight: "balanced"},
	}
	for name, cfg := range cfgs {
		t.Run(name, func(t *testing.T) {
			var want []byte
			for _, w := range []int{1, 2, 5} {
				c := cfg
				c.Workers = w
				got := saved(t, fitOrFatal(t, c, train))
				if want == nil {
					want = got
				} else if !bytes.Equal(got, want) {
					t.Fatalf("model file with %d workers differs from the one with 1 worker", w)
				}
			}
		})
	}
}

func TestSeedChangesModel(t *testing.T) {
	train := readTable(t, "testdata/iris_train.csv")
	a := saved(t, fitOrFatal(t, Config{Trees: 5, Seed: 1}, train))
	b := saved(t, fitOrFatal(t, Config{Trees: 5, Seed: 2}, train))
	if bytes.Equal(a, b) {
		t.Fatal("seeds 1 and 2 gave identical models")
	}
}

// TestFeatureImportances builds data where only feature 1 decides the
// class and checks it gets nearly all the importance.
func TestFeatureImportances(t *testing.T) {
	const n = 400
	r := newTreeRNG(1, 0)
	X := mat.NewDense(n, 4, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			X.Set(i, j, float64(r.intn(1000))/1000)
		}
		if X.At(i, 1) > 0.5 {
			y[i] = 1
		}
	}
	f := fitOrFatal(t, Config{Trees: 20, MaxFeatures: "all"}, table{X: X, y: y, classes: 2})
	imp := f.FeatureImportances()
	var s float64
	for _, v := range imp {
		s += v
	}
	if math.Abs(s-1) > 1e-12 {
		t.Fatalf("importances sum to %v", s)
	}
	if imp[1] < 0.95 {
		t.Fatalf("importance of the deciding feature is %v (all: %v)", imp[1], imp)
	}
}

func TestOOBScore(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	f := fitOrFatal(t, Config{Trees: 50, OOBScore: true}, train)
	s, ok := f.OOBScore()
	if !ok || s < 0.9 || s > 1 {
		t.Fatalf("OOBScore = %v, %v; want a score in [0.9, 1]", s, ok)
	}
	if _, ok := fitOrFatal(t, Config{Trees: 5}, train).OOBScore(); ok {
		t.Fatal("OOBScore reported without Config.OOBScore")
	}
}

func TestProgressAndCancel(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	var mu sync.Mutex
	var seen []int
	cfg := Config{Trees: 12, Workers: 3, Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != 12 {
			t.Errorf("total = %d", total)
		}
		seen = append(seen, done)
	}}
	fitOrFatal(t, cfg, train)
	for i, d := range seen {
		if d != i+1 {
			t.Fatalf("progress calls %v, want 1..12", seen)
		}
	}
	if len(seen) != 12 {
		t.Fatalf("%d progress calls, want 12", len(seen))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := New(Config{Trees: 5})
	if err := f.Fit(ctx, train.X, train.y, train.classes); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit with a cancelled context: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	calls := 0
	f = New(Config{Trees: 1000, Workers: 1, Progress: func(done, total int) {
		calls++
		cancel()
	}})
	if err := f.Fit(ctx, train.X, train.y, train.classes); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit cancelled during training: %v", err)
	}
	if calls > 2 {
		t.Fatalf("%d trees grown after cancel", calls-1)
	}
	if f.Trees() != 0 {
		t.Fatal("a cancelled Fit left a model behind")
	}
}

// hugeMatrix claims more rows than a forest can train on; Fit must refuse
// it from its shape alone, before reading a value.
type hugeMatrix struct{ mat.Matrix }

func (hugeMatrix) Dims() (int, int) { return math.MaxInt32 + 1, 2 }

func TestFitBadInput(t *testing.T) {
	good := mat.NewDense(4, 2, []float64{0, 1, 1, 0, 2, 3, 3, 2})
	nan := mat.NewDense(4, 2, []float64{0, 1, 1, 0, math.NaN(), 3, 3, 2})
	inf := mat.NewDense(4, 2, []float64{0, 1, 1, math.Inf(-1), 2, 3, 3, 2})
	for _, tc := range []struct {
		name    string
		X       mat.Matrix
		y       []int
		classes int
		cfg     Config
		want    error
		where   string // the part of the message that points at the mistake
	}{
		{"nil X", nil, []int{0, 1}, 2, Config{}, ErrEmpty, "X is nil"},
		{"no rows", &mat.Dense{}, nil, 2, Config{}, ErrEmpty, "0 rows"},
		{"label count", good, []int{0, 1, 0}, 2, Config{}, ErrShape, "3 labels for 4 rows"},
		{"too many rows", hugeMatrix{}, nil, 2, Config{}, ErrTooLarge, "2147483648 rows"},
		{"one class", good, []int{0, 0, 0, 0}, 2, Config{}, ErrBadLabels, "only one class (0)"},
		{"classes 1", good, []int{0, 0, 0, 0}, 1, Config{}, ErrBadLabels, "got 1"},
		{"label range", good, []int{0, 1, 2, 0}, 2, Config{}, ErrBadLabels, "label 2 of row 2"},
		{"negative label", good, []int{0, -1, 1, 0}, 2, Config{}, ErrBadLabels, "label -1 of row 1"},
		{"NaN", nan, []int{0, 1, 1, 0}, 2, Config{}, ErrNotFinite, "X[2, 0] is NaN"},
		{"Inf", inf, []int{0, 1, 1, 0}, 2, Config{}, ErrNotFinite, "X[1, 1] is -Inf"},
		{"bad config", good, []int{0, 1, 1, 0}, 2, Config{Criterion: "mse"}, ErrBadConfig, "Criterion"},
		{"max features", good, []int{0, 1, 1, 0}, 2, Config{MaxFeatures: "3"}, ErrBadConfig, "MaxFeatures 3"},
		{"max samples", good, []int{0, 1, 1, 0}, 2, Config{MaxSamples: "5"}, ErrBadConfig, "MaxSamples 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := New(tc.cfg).Fit(context.Background(), tc.X, tc.y, tc.classes)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fit error %v, want one wrapping %v", err, tc.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "forest: ") || !strings.Contains(msg, tc.where) {
				t.Fatalf("Fit error %q, want it to start with forest: and to point at %q", msg, tc.where)
			}
		})
	}
}
