package autolog

import (
	"fmt"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
)

// The metric names of MLflow's sklearn autolog, after the training_ or
// test_ prefix.
const (
	MetricAccuracy  = "accuracy_score"
	MetricPrecision = "precision_score"
	MetricRecall    = "recall_score"
	MetricF1        = "f1_score"
	MetricLogLoss   = "log_loss"
	MetricROCAUC    = "roc_auc"
	MetricScore     = "score"
)

// Prefixes of the two metric families.
const (
	PrefixTraining = "training_"
	PrefixTest     = "test_"
)

// scored is what the model did on one dataset.
type scored struct {
	prefix  string
	data    *datasets.Dataset
	digest  string  // data.Digest(), computed once: it reads every cell
	seconds float64 // time spent in Predict and PredictProba
	pred    []int
	cm      [][]int
	metrics []namedValue // in the order MLflow logs them
}

type namedValue struct {
	name  string
	value float64
}

type evaluation struct {
	train scored
	test  *scored
}

// evaluate predicts on both datasets and computes the autolog metrics.
// A prediction failure is an error; a metric scikit-learn would refuse
// (ROC AUC with a class missing from a small test set) is left out with a
// warning, as MLflow's autolog does.
func (a *autolog) evaluate() (*evaluation, error) {
	ev := &evaluation{}
	var err error
	if ev.train, err = a.score(PrefixTraining, a.train); err != nil {
		return nil, err
	}
	a.res.PredictSeconds = ev.train.seconds
	if a.test != nil {
		t, err := a.score(PrefixTest, a.test)
		if err != nil {
			return nil, err
		}
		a.res.PredictSeconds = t.seconds
		ev.test = &t
		a.res.TestPredictions = t.pred
	}
	return ev, nil
}

func (a *autolog) score(prefix string, d *datasets.Dataset) (scored, error) {
	s := scored{prefix: prefix, data: d, digest: a.digest(d)}
	which := prefix[:len(prefix)-1]
	start := time.Now()
	pred, err := a.model.Predict(d.X)
	if err != nil {
		return s, fmt.Errorf("autolog: predict the %s set: %w", which, err)
	}
	if len(pred) != d.Rows() {
		return s, fmt.Errorf("autolog: the model predicted %d labels for %d rows of the %s set", len(pred), d.Rows(), which)
	}
	proba, err := a.model.PredictProba(d.X)
	if err != nil {
		return s, fmt.Errorf("autolog: predict probabilities of the %s set: %w", which, err)
	}
	s.seconds = time.Since(start).Seconds()
	s.pred = pred
	k := d.Classes()
	if s.cm, err = evaluate.ConfusionMatrix(d.Y, pred, k); err != nil {
		return s, fmt.Errorf("autolog: %s confusion matrix: %w", which, err)
	}
	add := func(name string, v float64, err error) {
		if err != nil {
			a.res.Warnings = append(a.res.Warnings, fmt.Sprintf("%s%s not logged: %v", prefix, name, err))
			return
		}
		s.metrics = append(s.metrics, namedValue{prefix + name, v})
		a.res.Metrics[prefix+name] = v
	}
	// Weighted averages, as autolog computes them.
	p, r, f, err := evaluate.PrecisionRecallF1(d.Y, pred, k, evaluate.Weighted)
	add(MetricPrecision, p, err)
	add(MetricRecall, r, err)
	add(MetricF1, f, err)
	acc, accErr := evaluate.Accuracy(d.Y, pred)
	add(MetricAccuracy, acc, accErr)
	ll, err := evaluate.LogLoss(d.Y, proba)
	add(MetricLogLoss, ll, err)
	// One-vs-one weighted for more than two classes, the plain binary AUC
	// for two: evaluate.ROCAUC picks by the width of proba.
	auc, err := evaluate.ROCAUC(d.Y, proba, evaluate.OneVsOne, evaluate.Weighted)
	add(MetricROCAUC, auc, err)
	// The estimator's score method is accuracy for a classifier.
	add(MetricScore, acc, accErr)
	return s, nil
}
