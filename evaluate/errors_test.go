package evaluate

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestLabelErrors(t *testing.T) {
	tests := []struct {
		name         string
		yTrue, yPred []int
		classes      int
		want         error  // sentinel, nil for none
		where        string // the error must name the offending argument
	}{
		{"ok", []int{0, 1, 2}, []int{2, 1, 0}, 3, nil, ""},
		{"empty", nil, nil, 3, ErrEmpty, ""},
		{"length", []int{0, 1}, []int{0}, 2, ErrLength, "y_pred 1"},
		{"true too big", []int{0, 3}, []int{0, 1}, 3, ErrLabel, "y_true[1] = 3"},
		{"pred negative", []int{0, 1}, []int{0, -1}, 3, ErrLabel, "y_pred[1] = -1"},
		{"no classes", []int{0}, []int{0}, 0, nil, "classes must be at least 1"},
	}
	type labelFunc func(yTrue, yPred []int, classes int) error
	funcs := map[string]labelFunc{
		"Precision": func(a, b []int, k int) error { _, err := Precision(a, b, k, Macro); return err },
		"Recall":    func(a, b []int, k int) error { _, err := Recall(a, b, k, Weighted); return err },
		"F1":        func(a, b []int, k int) error { _, err := F1(a, b, k, Micro); return err },
		"PerClass": func(a, b []int, k int) error {
			_, _, _, _, err := PrecisionRecallF1PerClass(a, b, k)
			return err
		},
		"ConfusionMatrix": func(a, b []int, k int) error { _, err := ConfusionMatrix(a, b, k); return err },
		"Report": func(a, b []int, k int) error {
			names := make([]string, max(k, 0))
			for i := range names {
				names[i] = string(rune('a' + i))
			}
			_, err := ClassificationReport(a, b, names)
			return err
		},
	}
	for _, tc := range tests {
		for fname, f := range funcs {
			t.Run(tc.name+"/"+fname, func(t *testing.T) {
				err := f(tc.yTrue, tc.yPred, tc.classes)
				if fname == "Report" && tc.classes == 0 && err != nil {
					return // the report refuses for want of names first
				}
				checkError(t, err, tc.want, tc.where)
			})
		}
	}
}

func TestAccuracyErrors(t *testing.T) {
	if _, err := Accuracy(nil, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Accuracy([]int{1}, []int{1, 2}); !errors.Is(err, ErrLength) {
		t.Errorf("length: %v", err)
	}
}

func TestAverageErrors(t *testing.T) {
	y := []int{0, 1, 2}
	if _, err := Precision(y, y, 3, Binary); !errors.Is(err, ErrAverage) {
		t.Errorf("binary on 3 classes: %v", err)
	}
	if _, err := F1(y, y, 3, Average(42)); !errors.Is(err, ErrAverage) {
		t.Errorf("unknown average: %v", err)
	}
}

func TestProbabilityErrors(t *testing.T) {
	good := []float64{0.2, 0.8, 0.5, 0.5, 1, 0}
	with := func(i int, v float64) []float64 {
		d := append([]float64(nil), good...)
		d[i] = v
		return d
	}
	tests := []struct {
		name  string
		yTrue []int
		proba *mat.Dense
		want  error
		where string
	}{
		{"ok", []int{1, 0, 0}, mat.NewDense(3, 2, good), nil, ""},
		{"empty labels", nil, mat.NewDense(3, 2, good), ErrEmpty, ""},
		{"nil matrix", []int{0}, nil, ErrLength, "no rows"},
		{"rows", []int{1, 0}, mat.NewDense(3, 2, good), ErrLength, "3 rows"},
		{"one column", []int{0, 0}, mat.NewDense(2, 1, []float64{1, 1}), ErrLength, "1 column"},
		{"label", []int{1, 2, 0}, mat.NewDense(3, 2, good), ErrLabel, "y_true[1] = 2"},
		{"negative", []int{1, 0, 0}, mat.NewDense(3, 2, with(2, -0.5)), ErrProbability, "[1, 0]"},
		{"above one", []int{1, 0, 0}, mat.NewDense(3, 2, with(3, 1.5)), ErrProbability, "[1, 1]"},
		{"nan", []int{1, 0, 0}, mat.NewDense(3, 2, with(0, math.NaN())), ErrProbability, "[0, 0]"},
		{"sum", []int{1, 0, 0}, mat.NewDense(3, 2, with(4, 0.5)), ErrProbability, "row 2 sums to 0.5"},
	}
	for _, tc := range tests {
		for fname, f := range map[string]func() error{
			"LogLoss": func() error { _, err := LogLoss(tc.yTrue, tc.proba); return err },
			"ROCAUC":  func() error { _, err := ROCAUC(tc.yTrue, tc.proba, OneVsOne, Weighted); return err },
		} {
			t.Run(tc.name+"/"+fname, func(t *testing.T) {
				checkError(t, f(), tc.want, tc.where)
			})
		}
	}
}

func TestROCAUCRefusals(t *testing.T) {
	three := mat.NewDense(4, 3, []float64{
		0.6, 0.3, 0.1,
		0.2, 0.7, 0.1,
		0.1, 0.2, 0.7,
		0.3, 0.3, 0.4,
	})
	tests := []struct {
		name  string
		yTrue []int
		proba *mat.Dense
		mc    MultiClass
		avg   Average
		want  error
	}{
		{"binary one class", []int{1, 1}, mat.NewDense(2, 2, []float64{0.4, 0.6, 0.3, 0.7}), OneVsRest, Macro, ErrOneClass},
		{"multiclass all one class", []int{2, 2, 2, 2}, three, OneVsOne, Weighted, ErrOneClass},
		{"ovo micro", []int{0, 1, 2, 2}, three, OneVsOne, Micro, ErrAverage},
		{"binary average", []int{0, 1, 2, 2}, three, OneVsRest, Binary, ErrAverage},
		{"unknown strategy", []int{0, 1, 2, 2}, three, MultiClass(7), Macro, ErrAverage},
		{"ovr micro works", []int{0, 1, 2, 2}, three, OneVsRest, Micro, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ROCAUC(tc.yTrue, tc.proba, tc.mc, tc.avg)
			checkError(t, err, tc.want, "")
		})
	}
}

// checkError fails t unless err is as a case wants: nil when want is nil and
// where is empty; else an error that starts with the package's name, says
// where, and wraps want when want is given.
func checkError(t *testing.T, err, want error, where string) {
	t.Helper()
	if want == nil && where == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if err == nil {
		t.Fatal("no error")
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), "evaluate: ") || !strings.Contains(err.Error(), where) {
		t.Errorf("error %q should start with the package and say %q", err, where)
	}
}
