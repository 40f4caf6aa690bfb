package evaluate

import (
	"bytes"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzMetrics feeds arbitrary labels and probabilities, well-formed or not,
// to every metric: none may panic, and what they accept must give scores in
// their range.
func FuzzMetrics(f *testing.F) {
	f.Add(uint8(3), []byte{0, 1, 2, 2, 1, 0}, []byte{0, 1, 2, 1, 1, 0}, []byte{200, 30, 25, 10, 240, 5, 0, 0, 255})
	f.Add(uint8(2), []byte{0, 0, 1}, []byte{1, 0, 1}, []byte{128, 127, 255, 0, 0, 255})
	f.Add(uint8(1), []byte{}, []byte{}, []byte{})
	f.Add(uint8(4), []byte{9, 1}, []byte{0}, []byte{1})
	f.Fuzz(func(t *testing.T, classes uint8, rawTrue, rawPred, rawProba []byte) {
		k := int(classes % 25)
		yTrue, yPred := make([]int, len(rawTrue)), make([]int, len(rawPred))
		for i, b := range rawTrue {
			yTrue[i] = int(b) - 2 // a few negative labels too
		}
		for i, b := range rawPred {
			yPred[i] = int(b) - 2
		}
		inUnit := func(name string, v float64) {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s = %v, outside [0, 1]", name, v)
			}
		}
		if v, err := Accuracy(yTrue, yPred); err == nil {
			inUnit("accuracy", v)
		}
		for _, avg := range []Average{Macro, Weighted, Micro, Binary, Average(9)} {
			if p, r, f1, err := PrecisionRecallF1(yTrue, yPred, k, avg); err == nil {
				inUnit("precision", p)
				inUnit("recall", r)
				inUnit("f1", f1)
			}
		}
		if cm, err := ConfusionMatrix(yTrue, yPred, k); err == nil {
			total := 0
			for _, row := range cm {
				for _, v := range row {
					total += v
				}
			}
			if total != len(yTrue) {
				t.Fatalf("confusion matrix counts %d samples of %d", total, len(yTrue))
			}
			var buf bytes.Buffer
			if k <= 4 && len(yTrue) < 50 {
				names := []string{"a", "bb", "ccc", "dddd"}[:k]
				if err := WriteConfusionMatrixPNG(&buf, cm, names, ""); err != nil {
					t.Fatalf("valid matrix not drawn: %v", err)
				}
			}
		}
		names := make([]string, k)
		for i := range names {
			names[i] = string(rune('A' + i))
		}
		_, _ = ClassificationReport(yTrue, yPred, names)

		// Probabilities: bytes scaled to [0, 1.02], so some rows are off.
		if k == 0 || len(yTrue) == 0 || len(rawProba) < len(yTrue)*k {
			return
		}
		data := make([]float64, len(yTrue)*k)
		for i := range data {
			data[i] = float64(rawProba[i]) / 250
		}
		if rawProba[0]%2 == 0 {
			// Mostly valid rows, so the scores themselves get exercised.
			for r := range len(yTrue) {
				row := data[r*k : (r+1)*k]
				sum := 0.0
				for _, v := range row {
					sum += v
				}
				for j := range row {
					if sum > 0 {
						row[j] /= sum
					}
				}
			}
		}
		proba := mat.NewDense(len(yTrue), k, data)
		if v, err := LogLoss(yTrue, proba); err == nil && !(v >= 0 && v <= -math.Log(logLossEps)+1e-9) {
			t.Fatalf("log loss = %v", v)
		}
		for _, mc := range []MultiClass{OneVsRest, OneVsOne} {
			for _, avg := range []Average{Macro, Weighted, Micro} {
				if v, err := ROCAUC(yTrue, proba, mc, avg); err == nil {
					inUnit("roc auc", v)
				}
			}
		}
	})
}
