package forest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPredictProba(t *testing.T) {
	train := readTable(t, "testdata/iris_train.csv")
	test := readTable(t, "testdata/iris_test.csv")
	f := fitOrFatal(t, Config{Trees: 30, Seed: 4}, train)
	p, err := f.PredictProba(test.X)
	if err != nil {
		t.Fatal(err)
	}
	pred := mustPredict(t, f, test.X)
	r, c := p.Dims()
	if r != len(test.y) || c != 3 || f.Classes() != 3 {
		t.Fatalf("PredictProba is %dx%d, Classes %d", r, c, f.Classes())
	}
	for i := 0; i < r; i++ {
		row := p.RawRowView(i)
		var s float64
		for _, v := range row {
			if v < 0 || v > 1 {
				t.Fatalf("row %d: probability %v", i, v)
			}
			s += v
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("row %d: probabilities sum to %v", i, s)
		}
		if pred[i] != argmax(row) {
			t.Fatalf("row %d: Predict %d, argmax of PredictProba %d", i, pred[i], argmax(row))
		}
	}
}

func TestArgmaxTiesToLowest(t *testing.T) {
	for _, tc := range []struct {
		p    []float64
		want int
	}{
		{[]float64{0.5, 0.5}, 0},
		{[]float64{0.2, 0.4, 0.4}, 1},
		{[]float64{0.1, 0.2, 0.7}, 2},
		{[]float64{0, 0, 0}, 0},
	} {
		t.Run(fmt.Sprint(tc.p), func(t *testing.T) {
			if got := argmax(tc.p); got != tc.want {
				t.Errorf("argmax(%v) = %d, want %d", tc.p, got, tc.want)
			}
		})
	}
}

func TestPredictBadInput(t *testing.T) {
	if _, err := New(Config{}).Predict(mat.NewDense(1, 2, nil)); !errors.Is(err, ErrNotFitted) {
		t.Fatalf("Predict before Fit: %v", err)
	}
	if err := New(Config{}).Save(&bytes.Buffer{}); !errors.Is(err, ErrNotFitted) {
		t.Fatalf("Save before Fit: %v", err)
	}
	train := readTable(t, "testdata/iris_train.csv")
	f := fitOrFatal(t, Config{Trees: 3}, train)
	for _, tc := range []struct {
		name  string
		X     mat.Matrix
		want  error
		where string
	}{
		{"features", mat.NewDense(2, 3, nil), ErrShape, "X has 3 features, the model was fitted on 4"},
		{"NaN", mat.NewDense(1, 4, []float64{1, 2, math.NaN(), 4}), ErrNotFinite, "X[0, 2] is NaN"},
		{"nil", nil, ErrEmpty, "X is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Predict(tc.X)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.where) {
				t.Fatalf("Predict error %v, want one wrapping %v that points at %q", err, tc.want, tc.where)
			}
			_, err = f.PredictProba(tc.X)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.where) {
				t.Fatalf("PredictProba error %v, want one wrapping %v that points at %q", err, tc.want, tc.where)
			}
		})
	}
	// A transposed view is a mat.Matrix that is not a *mat.Dense.
	p, err := f.Predict(train.X.T().T())
	if err != nil || len(p) != len(train.y) {
		t.Fatalf("Predict on a non-Dense matrix: %v", err)
	}
}

// TestConcurrentPredict predicts from several goroutines at once, as a
// server would; run it with -race to check that prediction only reads.
func TestConcurrentPredict(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	test := readTable(t, "testdata/breast_cancer_test.csv")
	f := fitOrFatal(t, Config{Trees: 10}, train)
	want := mustPredict(t, f, test.X)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := f.Predict(test.X)
			if err != nil {
				errs <- err.Error()
				return
			}
			for i := range got {
				if got[i] != want[i] {
					errs <- "predictions differ between goroutines"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
