package evaluate

import (
	"fmt"

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
// Where scikit-learn refuses, so does ROCAUC, with an error wrapping
// ErrOneClass: for two columns when y_true holds one class only, and for
// one-vs-rest Macro or Weighted when a class has no true sample. Like
// scikit-learn, one-vs-one leaves out the pairs with a class absent from
// y_true (and refuses only when fewer than two classes are present, where
// scikit-learn returns NaN or fails to divide), and one-vs-rest Micro
// needs no class in particular. An averaging scikit-learn does not offer
// for the strategy gives an error wrapping ErrAverage.
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
		return newScoreSorter(n).aucs(yTrue, proba, 1, 2, support, nil), nil
	}
	switch mc {
	case OneVsRest:
		switch avg {
		case Macro, Weighted:
			for c, s := range support {
				if s == 0 {
					return 0, errorf(metric, "class %d has no true sample: %w", c, ErrOneClass)
				}
				if s == n {
					return 0, errorf(metric, "class %d is the only one in y_true: %w", c, ErrOneClass)
				}
			}
			var sum, wsum float64
			sorter := newScoreSorter(n)
			for c := range k {
				auc := sorter.aucs(yTrue, proba, c, k, support, nil)
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
		// As in scikit-learn, only pairs of classes present in y_true count.
		present := 0
		for _, s := range support {
			if s > 0 {
				present++
			}
		}
		if present < 2 {
			return 0, errorf(metric, "one-vs-one needs two classes in y_true, found %d: %w", present, ErrOneClass)
		}
		// side[a*k+b] is the AUC of column a telling class a from class b
		// on the samples of those two classes.
		side := make([]float64, k*k)
		sorter := newScoreSorter(n)
		for a := range k {
			if support[a] > 0 {
				sorter.aucs(yTrue, proba, a, k, support, side[a*k:(a+1)*k])
			}
		}
		var sum, wsum float64
		for a := range k {
			for b := a + 1; b < k; b++ {
				if support[a] == 0 || support[b] == 0 {
					continue
				}
				w := 1.0
				if avg == Weighted {
					w = float64(support[a]+support[b]) / float64(n)
				}
				sum += w * (side[a*k+b] + side[b*k+a]) / 2
				wsum += w
			}
		}
		return sum / wsum, nil
	}
	return 0, errorf(metric, "unknown %v: %w", mc, ErrAverage)
}
