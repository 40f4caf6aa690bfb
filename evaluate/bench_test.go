package evaluate

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchData is a million predictions over k classes, right about 80% of the
// time, with probabilities quantised to a forest's 1/100 steps so that ties
// are as common as in real scores.
func benchData(n, k int) (yTrue, yPred []int, proba *mat.Dense) {
	rng := rand.New(rand.NewPCG(1, 2))
	yTrue, yPred = make([]int, n), make([]int, n)
	proba = mat.NewDense(n, k, nil)
	for i := range n {
		y := rng.IntN(k)
		yTrue[i] = y
		row := proba.RawRowView(i)
		left := 100
		for c := range k - 1 {
			v := rng.IntN(left/2 + 1)
			row[c] = float64(v)
			left -= v
		}
		row[k-1] = float64(left)
		if rng.Float64() < 0.8 {
			row[y] += 100
		}
		sum := 0.0
		best := 0
		for c, v := range row {
			sum += v
			if v > row[best] {
				best = c
			}
		}
		for c := range row {
			row[c] /= sum
		}
		yPred[i] = best
	}
	return yTrue, yPred, proba
}

const benchRows = 1_000_000

func BenchmarkAccuracy(b *testing.B) {
	yTrue, yPred, _ := benchData(benchRows, 3)
	for b.Loop() {
		if _, err := Accuracy(yTrue, yPred); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkF1Weighted(b *testing.B) {
	yTrue, yPred, _ := benchData(benchRows, 3)
	for b.Loop() {
		if _, err := F1(yTrue, yPred, 3, Weighted); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConfusionMatrix(b *testing.B) {
	yTrue, yPred, _ := benchData(benchRows, 10)
	for b.Loop() {
		if _, err := ConfusionMatrix(yTrue, yPred, 10); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogLoss(b *testing.B) {
	yTrue, _, proba := benchData(benchRows, 3)
	for b.Loop() {
		if _, err := LogLoss(yTrue, proba); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkROCAUC(b *testing.B) {
	for _, bc := range []struct {
		name string
		k    int
		mc   MultiClass
		avg  Average
	}{
		{"binary", 2, OneVsRest, Macro},
		{"ovr-macro-3", 3, OneVsRest, Macro},
		{"ovo-weighted-3", 3, OneVsOne, Weighted},
		{"ovo-weighted-10", 10, OneVsOne, Weighted},
	} {
		b.Run(bc.name, func(b *testing.B) {
			yTrue, _, proba := benchData(benchRows, bc.k)
			for b.Loop() {
				if _, err := ROCAUC(yTrue, proba, bc.mc, bc.avg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClassificationReport(b *testing.B) {
	yTrue, yPred, _ := benchData(benchRows, 3)
	names := []string{"setosa", "versicolor", "virginica"}
	for b.Loop() {
		if _, err := ClassificationReport(yTrue, yPred, names); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConfusionMatrixPNG(b *testing.B) {
	cm, names := testMatrix(20)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteConfusionMatrixPNG(&buf, cm, names, "Confusion matrix"); err != nil {
			b.Fatal(err)
		}
	}
}
