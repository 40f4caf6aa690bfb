package evaluate

import "fmt"

// Average says how per-class scores are combined into one number, with the
// meaning of scikit-learn's average argument.
type Average int

const (
	// Macro is the unweighted mean over all classes.
	Macro Average = iota
	// Weighted is the mean over classes weighted by their support (the
	// number of true samples of each class).
	Weighted
	// Micro counts true and false positives over all classes at once; for
	// single-label data its precision, recall and F1 all equal accuracy.
	Micro
	// Binary reports the score of class 1 alone; it needs exactly two classes.
	Binary
)

// String returns scikit-learn's name for the averaging.
func (a Average) String() string {
	switch a {
	case Macro:
		return "macro"
	case Weighted:
		return "weighted"
	case Micro:
		return "micro"
	case Binary:
		return "binary"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

// Accuracy returns the fraction of predictions equal to the true labels.
// Labels may be any ints; only equality counts.
func Accuracy(yTrue, yPred []int) (float64, error) {
	if len(yTrue) != len(yPred) {
		return 0, errorf("accuracy", "y_true has %d labels, y_pred %d: %w", len(yTrue), len(yPred), ErrLength)
	}
	if len(yTrue) == 0 {
		return 0, errorf("accuracy", "%w", ErrEmpty)
	}
	yPred = yPred[:len(yTrue)]
	hits := 0
	for i, y := range yTrue {
		if y == yPred[i] {
			hits++
		}
	}
	return float64(hits) / float64(len(yTrue)), nil
}

// ConfusionMatrix counts samples by true label (row) and predicted label
// (column), both in class-code order 0..classes-1.
func ConfusionMatrix(yTrue, yPred []int, classes int) ([][]int, error) {
	if err := checkLabels("confusion matrix", yTrue, yPred, classes); err != nil {
		return nil, err
	}
	flat := make([]int, classes*classes)
	yPred = yPred[:len(yTrue)]
	for i, y := range yTrue {
		flat[y*classes+yPred[i]]++
	}
	cm := make([][]int, classes)
	for r := range cm {
		cm[r] = flat[r*classes : (r+1)*classes : (r+1)*classes]
	}
	return cm, nil
}

// counts holds, per class, what precision and recall are computed from.
type counts struct {
	tp, pred, truth []int // true positives, predicted as the class, truly the class
}

func count(metric string, yTrue, yPred []int, classes int) (counts, error) {
	if err := checkLabels(metric, yTrue, yPred, classes); err != nil {
		return counts{}, err
	}
	buf := make([]int, 3*classes)
	c := counts{tp: buf[:classes], pred: buf[classes : 2*classes], truth: buf[2*classes:]}
	yPred = yPred[:len(yTrue)]
	for i, t := range yTrue {
		p := yPred[i]
		c.truth[t]++
		c.pred[p]++
		if t == p {
			c.tp[t]++
		}
	}
	return c, nil
}

// ratio is scikit-learn's division with zero_division=0.
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// fScore is the harmonic mean of p and r, written in the order scikit-learn
// evaluates it so that the last bit agrees too.
func fScore(p, r float64) float64 {
	den := p + r
	if den == 0 {
		return 0
	}
	return 2 * p * r / den
}

// PrecisionRecallF1PerClass returns, for each class 0..classes-1, the
// precision, recall and F1 score of predicting it, and its support (how
// many true labels it has). A ratio with a zero denominator is 0, as with
// scikit-learn's zero_division=0.
func PrecisionRecallF1PerClass(yTrue, yPred []int, classes int) (precision, recall, f1 []float64, support []int, err error) {
	c, err := count("precision recall f1", yTrue, yPred, classes)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	precision, recall, f1 = perClass(c)
	return precision, recall, f1, c.truth, nil
}

func perClass(c counts) (precision, recall, f1 []float64) {
	k := len(c.tp)
	buf := make([]float64, 3*k)
	precision, recall, f1 = buf[:k:k], buf[k:2*k:2*k], buf[2*k:]
	for i := range k {
		precision[i] = ratio(c.tp[i], c.pred[i])
		recall[i] = ratio(c.tp[i], c.truth[i])
		f1[i] = fScore(precision[i], recall[i])
	}
	return precision, recall, f1
}

// PrecisionRecallF1 returns the three scores averaged as avg, from one pass
// over the labels.
func PrecisionRecallF1(yTrue, yPred []int, classes int, avg Average) (precision, recall, f1 float64, err error) {
	c, err := count("precision recall f1", yTrue, yPred, classes)
	if err != nil {
		return 0, 0, 0, err
	}
	return average("precision recall f1", c, avg)
}

func average(metric string, c counts, avg Average) (precision, recall, f1 float64, err error) {
	switch avg {
	case Micro:
		var tp, pred, truth int
		for i := range c.tp {
			tp += c.tp[i]
			pred += c.pred[i]
			truth += c.truth[i]
		}
		p, r := ratio(tp, pred), ratio(tp, truth)
		return p, r, fScore(p, r), nil
	case Binary:
		if len(c.tp) != 2 {
			return 0, 0, 0, errorf(metric, "binary averaging needs 2 classes, got %d: %w", len(c.tp), ErrAverage)
		}
		p, r := ratio(c.tp[1], c.pred[1]), ratio(c.tp[1], c.truth[1])
		return p, r, fScore(p, r), nil
	case Macro, Weighted:
		ps, rs, fs := perClass(c)
		var sp, sr, sf, sw float64
		for i := range ps {
			w := 1.0
			if avg == Weighted {
				w = float64(c.truth[i])
			}
			sp += w * ps[i]
			sr += w * rs[i]
			sf += w * fs[i]
			sw += w
		}
		if sw == 0 {
			return 0, 0, 0, nil
		}
		return sp / sw, sr / sw, sf / sw, nil
	}
	return 0, 0, 0, errorf(metric, "unknown %v: %w", avg, ErrAverage)
}

// Precision returns the fraction of predictions of a class that were right,
// averaged over classes as avg says.
func Precision(yTrue, yPred []int, classes int, avg Average) (float64, error) {
	c, err := count("precision", yTrue, yPred, classes)
	if err != nil {
		return 0, err
	}
	p, _, _, err := average("precision", c, avg)
	return p, err
}

// Recall returns the fraction of the samples of a class that were predicted
// as that class, averaged over classes as avg says.
func Recall(yTrue, yPred []int, classes int, avg Average) (float64, error) {
	c, err := count("recall", yTrue, yPred, classes)
	if err != nil {
		return 0, err
	}
	_, r, _, err := average("recall", c, avg)
	return r, err
}

// F1 returns the harmonic mean of precision and recall per class, averaged
// over classes as avg says. For Micro it is the harmonic mean of the micro
// precision and recall, as in scikit-learn.
func F1(yTrue, yPred []int, classes int, avg Average) (float64, error) {
	c, err := count("f1", yTrue, yPred, classes)
	if err != nil {
		return 0, err
	}
	_, _, f, err := average("f1", c, avg)
	return f, err
}
