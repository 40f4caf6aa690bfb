package evaluate

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// pairAUC counts, over every positive-negative pair, how often the positive
// scores higher (a tie counts one half): the definition of the AUC, in
// quadratic time, to check the sorted computation against.
func pairAUC(pos, neg []float64) float64 {
	wins := 0.0
	for _, p := range pos {
		for _, q := range neg {
			switch {
			case p > q:
				wins++
			case p == q:
				wins += 0.5
			}
		}
	}
	return wins / float64(len(pos)*len(neg))
}

func bruteROCAUC(yTrue []int, proba *mat.Dense, mc MultiClass, avg Average) float64 {
	n, k := proba.Dims()
	column := func(c int, keep func(y int) bool, positive int) (pos, neg []float64) {
		for i, y := range yTrue {
			if !keep(y) {
				continue
			}
			if y == positive {
				pos = append(pos, proba.At(i, c))
			} else {
				neg = append(neg, proba.At(i, c))
			}
		}
		return pos, neg
	}
	all := func(int) bool { return true }
	if k == 2 {
		return pairAUC(column(1, all, 1))
	}
	support := make([]float64, k)
	for _, y := range yTrue {
		support[y]++
	}
	var sum, wsum float64
	switch {
	case mc == OneVsRest && avg == Micro:
		var pos, neg []float64
		for i, y := range yTrue {
			for c := range k {
				if c == y {
					pos = append(pos, proba.At(i, c))
				} else {
					neg = append(neg, proba.At(i, c))
				}
			}
		}
		return pairAUC(pos, neg)
	case mc == OneVsRest:
		for c := range k {
			w := 1.0
			if avg == Weighted {
				w = support[c]
			}
			sum += w * pairAUC(column(c, all, c))
			wsum += w
		}
	default:
		for a := range k {
			for b := a + 1; b < k; b++ {
				in := func(y int) bool { return y == a || y == b }
				s := (pairAUC(column(a, in, a)) + pairAUC(column(b, in, b))) / 2
				w := 1.0
				if avg == Weighted {
					w = (support[a] + support[b]) / float64(n)
				}
				sum += w * s
				wsum += w
			}
		}
	}
	return sum / wsum
}

// TestROCAUCAgainstDefinition covers inputs large enough for the radix sort,
// with many ties, against the pair-counting definition.
func TestROCAUCAgainstDefinition(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{50, 2}, {radixMin + 500, 2}, {300, 3}, {radixMin + 123, 4}} {
		yTrue, _, proba := benchData(tc.n, tc.k)
		for _, mc := range []MultiClass{OneVsRest, OneVsOne} {
			for _, avg := range []Average{Macro, Weighted, Micro} {
				if mc == OneVsOne && avg == Micro || tc.k == 2 && (mc != OneVsRest || avg != Macro) {
					continue
				}
				t.Run(fmt.Sprintf("n=%d/k=%d/%v/%v", tc.n, tc.k, mc, avg), func(t *testing.T) {
					got, err := ROCAUC(yTrue, proba, mc, avg)
					if err != nil {
						t.Fatal(err)
					}
					if want := bruteROCAUC(yTrue, proba, mc, avg); !near(got, want) {
						t.Errorf("ROCAUC = %.17g, by definition %.17g", got, want)
					}
				})
			}
		}
	}
}
