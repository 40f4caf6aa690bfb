package autolog

import (
	"fmt"
	"strings"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models"
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

// metricOrder is the order MLflow's autolog logs a family in.
var metricOrder = []string{MetricPrecision, MetricRecall, MetricF1, MetricAccuracy, MetricLogLoss, MetricROCAUC, MetricScore}

// Scores is how a fitted model did on one dataset: the metric family
// MLflow's sklearn autolog computes, named as it names them.
type Scores struct {
	// Metrics maps prefix+name (test_accuracy_score, ...) to its value.
	Metrics map[string]float64
	// Skipped are the metrics left out, with why: the ones scikit-learn
	// would refuse, such as a ROC AUC on a test set that misses a class.
	Skipped []SkippedMetric
	// Predictions are the model's labels for the dataset's rows.
	Predictions []int
	// ConfusionMatrix counts true label (rows) against predicted label.
	ConfusionMatrix [][]int
	// Seconds is the time Predict and PredictProba took together.
	Seconds float64
}

// SkippedMetric is a metric Score could not compute.
type SkippedMetric struct {
	Name string // prefix included
	Err  error
}

// Score computes autolog's metric family for a fitted model on d, each
// metric named prefix+name (PrefixTraining, PrefixTest): weighted
// precision, recall and F1, accuracy, log loss, ROC AUC (one-vs-one
// weighted for more than two classes) and score, the classifier's accuracy.
// Fit scores through it, and so can a program that trains without
// recording, so both report the same numbers under the same names. A
// prediction failure is an error; a metric scikit-learn would refuse is
// left out and listed in Skipped.
func Score(model models.Classifier, d *datasets.Dataset, prefix string) (*Scores, error) {
	which := strings.TrimSuffix(prefix, "_")
	start := time.Now()
	pred, err := model.Predict(d.X)
	if err != nil {
		return nil, fmt.Errorf("autolog: predict the %s set: %w", which, err)
	}
	if len(pred) != d.Rows() {
		return nil, fmt.Errorf("autolog: the model predicted %d labels for %d rows of the %s set", len(pred), d.Rows(), which)
	}
	proba, err := model.PredictProba(d.X)
	if err != nil {
		return nil, fmt.Errorf("autolog: predict probabilities of the %s set: %w", which, err)
	}
	s := &Scores{Metrics: map[string]float64{}, Predictions: pred, Seconds: time.Since(start).Seconds()}
	k := d.Classes()
	if s.ConfusionMatrix, err = evaluate.ConfusionMatrix(d.Y, pred, k); err != nil {
		return nil, fmt.Errorf("autolog: %s confusion matrix: %w", which, err)
	}
	add := func(name string, v float64, err error) {
		if err != nil {
			s.Skipped = append(s.Skipped, SkippedMetric{prefix + name, err})
			return
		}
		s.Metrics[prefix+name] = v
	}
	// Weighted averages, as autolog computes them. Added in metricOrder, so
	// Skipped comes out in that order too.
	p, r, f, err := evaluate.PrecisionRecallF1(d.Y, pred, k, evaluate.Weighted)
	add(MetricPrecision, p, err)
	add(MetricRecall, r, err)
	add(MetricF1, f, err)
	acc, accErr := evaluate.Accuracy(d.Y, pred)
	add(MetricAccuracy, acc, accErr)
	ll, err := evaluate.LogLoss(d.Y, proba)
	add(MetricLogLoss, ll, err)
	// evaluate.ROCAUC picks the plain binary AUC for two classes by the
	// width of proba.
	auc, err := evaluate.ROCAUC(d.Y, proba, evaluate.OneVsOne, evaluate.Weighted)
	add(MetricROCAUC, auc, err)
	// The estimator's score method is accuracy for a classifier.
	add(MetricScore, acc, accErr)
	return s, nil
}

// scored is what the model did on one dataset, as Fit records it.
type scored struct {
	prefix string
	digest string // data.Digest(), computed once: it reads every cell
	*Scores
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
	a.res.PredictSeconds = ev.train.Seconds
	if a.test != nil {
		t, err := a.score(PrefixTest, a.test)
		if err != nil {
			return nil, err
		}
		a.res.PredictSeconds = t.Seconds
		ev.test = &t
		a.res.TestPredictions = t.Predictions
	}
	return ev, nil
}

func (a *autolog) score(prefix string, d *datasets.Dataset) (scored, error) {
	s := scored{prefix: prefix, digest: a.digest(d)}
	var err error
	if s.Scores, err = Score(a.model, d, prefix); err != nil {
		return s, err
	}
	for _, m := range s.Skipped {
		a.res.Warnings = append(a.res.Warnings, fmt.Sprintf("%s not logged: %v", m.Name, m.Err))
	}
	for _, name := range metricOrder {
		if v, ok := s.Metrics[prefix+name]; ok {
			s.metrics = append(s.metrics, namedValue{prefix + name, v})
			a.res.Metrics[prefix+name] = v
		}
	}
	return s, nil
}
