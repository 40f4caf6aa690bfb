package evaluate

import (
	"cmp"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// MultiClass says how ROCAUC reduces more than two classes to binary
// problems, with the meaning of scikit-learn's multi_class argument.
type MultiClass int

const (
	// OneVsRest scores each class against all the others.
	OneVsRest MultiClass = iota
	// OneVsOne scores each pair of classes on the samples of that pair,
	// both ways round, as Hand and Till's multiclass AUC does.
	OneVsOne
)

// String returns scikit-learn's name for the strategy.
func (m MultiClass) String() string {
	switch m {
	case OneVsRest:
		return "ovr"
	case OneVsOne:
		return "ovo"
	}
	return fmt.Sprintf("MultiClass(%d)", int(m))
}

// ROCAUC returns the area under the ROC curve of the class probabilities,
// as scikit-learn 1.2's roc_auc_score computes it with labels=range(cols).
//
// With two columns it is the binary AUC of column 1 (the probability of
// class 1), and mc and avg are ignored. With more, mc picks one-vs-rest or
// one-vs-one and avg how the binary AUCs are combined: Macro or Weighted
// (by class support for one-vs-rest, by the share of samples in the pair for
// one-vs-one), or Micro for one-vs-rest only. MLflow's sklearn autolog logs
// training_roc_auc as OneVsOne, Weighted.
//
// Where scikit-learn refuses, so does ROCAUC: a class that has no true
// sample (or is the only one present) gives an error wrapping ErrOneClass,
// an averaging scikit-learn does not offer one wrapping ErrAverage.
func ROCAUC(yTrue []int, proba *mat.Dense, mc MultiClass, avg Average) (float64, error) {
	const metric = "roc auc"
	n, k, err := checkProba(metric, yTrue, proba)
	if err != nil {
		return 0, err
	}
	support := make([]int, k)
	for _, y := range yTrue {
		support[y]++
	}
	if k == 2 {
		if support[0] == 0 || support[1] == 0 {
			return 0, errorf(metric, "%w", ErrOneClass)
		}
		return binaryAUC(yTrue, proba, 1, func(i int) bool { return true }, make([]scored, 0, n)), nil
	}
	for c, s := range support {
		if s == 0 {
			return 0, errorf(metric, "class %d has no true sample: %w", c, ErrOneClass)
		}
		if s == n {
			return 0, errorf(metric, "class %d is the only one in y_true: %w", c, ErrOneClass)
		}
	}
	buf := make([]scored, 0, n)
	switch mc {
	case OneVsRest:
		switch avg {
		case Macro, Weighted:
			var sum, wsum float64
			for c := range k {
				auc := binaryAUC(yTrue, proba, c, func(int) bool { return true }, buf)
				w := 1.0
				if avg == Weighted {
					w = float64(support[c])
				}
				sum += w * auc
				wsum += w
			}
			return sum / wsum, nil
		case Micro:
			return microAUC(yTrue, proba), nil
		}
		return 0, errorf(metric, "one-vs-rest takes macro, weighted or micro averaging, not %v: %w", avg, ErrAverage)
	case OneVsOne:
		if avg != Macro && avg != Weighted {
			return 0, errorf(metric, "one-vs-one takes macro or weighted averaging, not %v: %w", avg, ErrAverage)
		}
		var sum, wsum float64
		for a := range k {
			for b := a + 1; b < k; b++ {
				inPair := func(i int) bool { y := yTrue[i]; return y == a || y == b }
				aucA := binaryAUC(yTrue, proba, a, inPair, buf)
				aucB := binaryAUC(yTrue, proba, b, inPair, buf)
				w := 1.0
				if avg == Weighted {
					w = float64(support[a]+support[b]) / float64(n)
				}
				sum += w * (aucA + aucB) / 2
				wsum += w
			}
		}
		return sum / wsum, nil
	}
	return 0, errorf(metric, "unknown %v: %w", mc, ErrAverage)
}

// scored is one sample's score and whether it belongs to the positive class.
type scored struct {
	score float64
	pos   bool
}

// binaryAUC is the AUC of column c's scores for "label == c" over the
// samples keep admits. It is the Mann-Whitney statistic: the chance that a
// positive outranks a negative, a tie counting one half, which is exactly
// the trapezoidal area under the ROC curve scikit-learn integrates. The
// caller guarantees both kinds are present.
func binaryAUC(yTrue []int, proba *mat.Dense, c int, keep func(int) bool, buf []scored) float64 {
	buf = buf[:0]
	raw := proba.RawMatrix()
	for i, y := range yTrue {
		if keep(i) {
			buf = append(buf, scored{raw.Data[i*raw.Stride+c], y == c})
		}
	}
	return aucOf(buf)
}

// microAUC is one-vs-rest micro averaging: every (sample, class) cell is one
// binary decision, scored by its probability.
func microAUC(yTrue []int, proba *mat.Dense) float64 {
	n, k := proba.Dims()
	buf := make([]scored, 0, n*k)
	for i, y := range yTrue {
		for c, p := range proba.RawRowView(i) {
			buf = append(buf, scored{p, y == c})
		}
	}
	return aucOf(buf)
}

// aucOf sorts s by score and sums the ranks of the positives, tied scores
// sharing their mean rank. Ranks are kept doubled in integers so the sum is
// exact and the only rounding is the final division.
func aucOf(s []scored) float64 {
	slices.SortFunc(s, func(a, b scored) int { return cmp.Compare(a.score, b.score) })
	var pos, rank2 int64 // rank2: twice the rank sum of the positives
	for i := 0; i < len(s); {
		j := i
		var p int64
		for j < len(s) && s[j].score == s[i].score {
			if s[j].pos {
				p++
			}
			j++
		}
		// Ranks i+1..j share the mean (i+1+j)/2; doubled: i+1+j.
		rank2 += p * int64(i+1+j)
		pos += p
		i = j
	}
	neg := int64(len(s)) - pos
	u2 := rank2 - pos*(pos+1) // twice the Mann-Whitney U
	return float64(u2) / (2 * float64(pos) * float64(neg))
}
