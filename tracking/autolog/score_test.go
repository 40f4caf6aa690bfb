package autolog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/tracking/autolog"
)

// TestScoreIsWhatFitLogs checks that Fit logs exactly what Score computes,
// so a program scoring without tracking reports the same numbers.
func TestScoreIsWhatFitLogs(t *testing.T) {
	ctx := context.Background()
	train, test := irisSplit(t)
	model := &centroid{}
	res, err := autolog.Fit(ctx, openClient(t), model, train, test, autolog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, set := range []struct {
		prefix string
		d      *datasets.Dataset
	}{{autolog.PrefixTraining, train}, {autolog.PrefixTest, test}} {
		s, err := autolog.Score(model, set.d, set.prefix)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range s.Metrics {
			got[k] = v
		}
		if set.prefix == autolog.PrefixTest {
			for i, p := range s.Predictions {
				if p != res.TestPredictions[i] {
					t.Fatalf("prediction %d = %d, Fit had %d", i, p, res.TestPredictions[i])
				}
			}
			acc, _ := evaluate.Accuracy(test.Y, s.Predictions)
			if s.Metrics["test_accuracy_score"] != acc || s.Metrics["test_score"] != acc {
				t.Errorf("test accuracy %v and score %v, want %v", s.Metrics["test_accuracy_score"], s.Metrics["test_score"], acc)
			}
		}
	}
	if len(got) != 14 || len(got) != len(res.Metrics) {
		t.Fatalf("Score gave %d metrics, Fit logged %d, want 14", len(got), len(res.Metrics))
	}
	for k, v := range res.Metrics {
		if got[k] != v {
			t.Errorf("%s: Score %v, Fit %v", k, got[k], v)
		}
	}
}

// TestScoreSkipsAndFails covers a metric left out (one class in the data:
// no ROC AUC) and a prediction failure, which is an error naming the set.
func TestScoreSkipsAndFails(t *testing.T) {
	train, _ := irisSplit(t)
	model := &centroid{}
	if err := model.Fit(context.Background(), train.X, train.Y, train.Classes()); err != nil {
		t.Fatal(err)
	}
	var rows []int
	for i, y := range train.Y {
		if y == 0 {
			rows = append(rows, i)
		}
	}
	one := train.Subset(rows)
	s, err := autolog.Score(model, one, "holdout_")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Metrics["holdout_roc_auc"]; ok {
		t.Errorf("ROC AUC computed on a single class: %v", s.Metrics)
	}
	if len(s.Skipped) == 0 || s.Skipped[0].Name != "holdout_roc_auc" || s.Skipped[0].Err == nil {
		t.Errorf("skipped %+v, want holdout_roc_auc with a reason", s.Skipped)
	}
	if _, err := autolog.Score(&failing{centroid: model}, train, autolog.PrefixTest); err == nil || !strings.Contains(err.Error(), "test set") || !errors.Is(err, errBroken) {
		t.Errorf("failing model: error %v, want one naming the test set and wrapping the cause", err)
	}
}

var errBroken = errors.New("broken")

// failing predicts nothing.
type failing struct{ *centroid }

func (f *failing) Predict(mat.Matrix) ([]int, error) { return nil, errBroken }
