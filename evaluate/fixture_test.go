package evaluate

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/grove-ml/grove/internal/sharedtest"
	"gonum.org/v1/gonum/mat"
)

// sklearnCase is one case of a testdata file computed by
// scikit-learn 1.2.1 with labels=range(len(labels)) and zero_division=0.
type sklearnCase struct {
	Name     string         `json:"name"`
	Labels   []string       `json:"labels"`
	YTrue    []int          `json:"y_true"`
	YPred    []int          `json:"y_pred"`
	Proba    [][]float64    `json:"proba"`
	Expected map[string]any `json:"expected"`
	// Votes / Denominator, in sklearn_extra.json, stand for Proba.
	Votes       [][]int `json:"votes"`
	Denominator int     `json:"denominator"`
}

func loadSklearnCases(t testing.TB, path string) []sklearnCase {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version string        `json:"sklearn_version"`
		Cases   []sklearnCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s holds no cases", path)
	}
	for i, c := range f.Cases {
		if c.Votes == nil {
			continue
		}
		f.Cases[i].Proba = make([][]float64, len(c.Votes))
		for r, votes := range c.Votes {
			row := make([]float64, len(votes))
			for j, v := range votes {
				row[j] = float64(v) / float64(c.Denominator)
			}
			f.Cases[i].Proba[r] = row
		}
	}
	return f.Cases
}

func denseOf(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

const tol = 1e-12

func near(got, want float64) bool { return math.Abs(got-want) <= tol }

// TestMetricsFixtureIsSharedCopy keeps testdata/metrics.json the copy of
// scikit-learn's output it stands for.
func TestMetricsFixtureIsSharedCopy(t *testing.T) {
	sharedtest.SameAsSource(t, "testdata/metrics.json", "fixtures/sklearn/metrics.json")
}

// TestAgainstScikitLearn checks every metric against the shared fixture
// (testdata/metrics.json, a copy of ../shared/fixtures/sklearn/metrics.json)
// and against testdata/sklearn_extra.json, which testdata/sklearn_extra.py
// wrote with scikit-learn 1.2.1: inputs large enough for the radix sort,
// binary averaging, one-vs-rest micro AUC, absent classes, twelve and
// twenty classes, and the classification report text.
func TestAgainstScikitLearn(t *testing.T) {
	for _, path := range []string{"testdata/metrics.json", "testdata/sklearn_extra.json"} {
		for _, tc := range loadSklearnCases(t, path) {
			t.Run(tc.Name, func(t *testing.T) { checkSklearnCase(t, tc) })
		}
	}
}

func checkSklearnCase(t *testing.T, tc sklearnCase) {
	k := len(tc.Labels)
	proba := denseOf(tc.Proba)
	num := func(key string) (float64, bool) {
		v, ok := tc.Expected[key]
		if !ok {
			return 0, false
		}
		f, ok := v.(float64)
		if !ok {
			t.Fatalf("expected[%q] is %T, want a number", key, v)
		}
		return f, true
	}
	vec := func(key string) []float64 {
		v, ok := tc.Expected[key].([]any)
		if !ok {
			t.Fatalf("expected[%q] missing or not a list", key)
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x.(float64)
		}
		return out
	}
	checked := 0
	check := func(key string, got float64, err error) {
		t.Helper()
		want, ok := num(key)
		if !ok {
			return
		}
		checked++
		if err != nil {
			t.Errorf("%s: unexpected error %v", key, err)
			return
		}
		if !near(got, want) {
			t.Errorf("%s = %.17g, scikit-learn %.17g (diff %.3g)", key, got, want, got-want)
		}
	}

	acc, err := Accuracy(tc.YTrue, tc.YPred)
	check("accuracy_score", acc, err)
	avgs := []Average{Macro, Weighted, Micro}
	if k == 2 {
		avgs = append(avgs, Binary)
	}
	for _, avg := range avgs {
		p, err := Precision(tc.YTrue, tc.YPred, k, avg)
		check("precision_score_"+avg.String(), p, err)
		r, err := Recall(tc.YTrue, tc.YPred, k, avg)
		check("recall_score_"+avg.String(), r, err)
		f, err := F1(tc.YTrue, tc.YPred, k, avg)
		check("f1_score_"+avg.String(), f, err)
		p2, r2, f2, err := PrecisionRecallF1(tc.YTrue, tc.YPred, k, avg)
		if err != nil || p2 != p || r2 != r || f2 != f {
			t.Errorf("PrecisionRecallF1(%v) = %v %v %v %v, separate calls %v %v %v", avg, p2, r2, f2, err, p, r, f)
		}
	}

	ps, rs, fs, support, err := PrecisionRecallF1PerClass(tc.YTrue, tc.YPred, k)
	if err != nil {
		t.Fatal(err)
	}
	for key, got := range map[string][]float64{"precision_per_class": ps, "recall_per_class": rs, "f1_per_class": fs} {
		want := vec(key)
		checked++
		if len(got) != len(want) {
			t.Fatalf("%s has %d values, scikit-learn %d", key, len(got), len(want))
		}
		for i := range want {
			if !near(got[i], want[i]) {
				t.Errorf("%s[%d] = %.17g, scikit-learn %.17g", key, i, got[i], want[i])
			}
		}
	}

	ll, err := LogLoss(tc.YTrue, proba)
	check("log_loss", ll, err)

	if k == 2 {
		auc, err := ROCAUC(tc.YTrue, proba, OneVsRest, Macro)
		check("roc_auc", auc, err)
	} else {
		for _, mc := range []MultiClass{OneVsRest, OneVsOne} {
			for _, avg := range []Average{Macro, Weighted, Micro} {
				key := "roc_auc_" + mc.String() + "_" + avg.String()
				if _, ok := tc.Expected[key]; !ok {
					continue // scikit-learn refused; checked below
				}
				auc, err := ROCAUC(tc.YTrue, proba, mc, avg)
				check(key, auc, err)
			}
		}
	}
	if msg, ok := tc.Expected["roc_auc_error"].(string); ok {
		checked++
		// scikit-learn refuses one-vs-rest (and the binary AUC);
		// one-vs-one scores the pairs of classes present.
		for _, mc := range []MultiClass{OneVsRest} {
			for _, avg := range []Average{Macro, Weighted} {
				_, err := ROCAUC(tc.YTrue, proba, mc, avg)
				if !errors.Is(err, ErrOneClass) {
					t.Errorf("ROCAUC(%v, %v) error = %v, want one wrapping ErrOneClass", mc, avg, err)
					continue
				}
				// The message must carry scikit-learn's words.
				core := strings.ToLower(strings.SplitN(msg, ".", 2)[0])
				if !strings.Contains(strings.ToLower(err.Error()), core) {
					t.Errorf("ROCAUC error %q does not say %q", err, core)
				}
			}
		}
	}

	cm, err := ConfusionMatrix(tc.YTrue, tc.YPred, k)
	if err != nil {
		t.Fatal(err)
	}
	wantCM, ok := tc.Expected["confusion_matrix"].([]any)
	if !ok {
		t.Fatal("expected confusion_matrix missing")
	}
	checked++
	for i, row := range wantCM {
		for j, v := range row.([]any) {
			if cm[i][j] != int(v.(float64)) {
				t.Errorf("confusion matrix [%d][%d] = %d, scikit-learn %v", i, j, cm[i][j], v)
			}
		}
	}
	for c := range k {
		rowSum := 0
		for _, v := range cm[c] {
			rowSum += v
		}
		if support[c] != rowSum {
			t.Errorf("support[%d] = %d, confusion matrix row sums to %d", c, support[c], rowSum)
		}
	}
	if want, ok := tc.Expected["support_per_class"].([]any); ok {
		checked++
		for c, v := range want {
			if support[c] != int(v.(float64)) {
				t.Errorf("support[%d] = %d, scikit-learn %v", c, support[c], v)
			}
		}
	}
	if want, ok := tc.Expected["classification_report"].(string); ok {
		checked++
		got, err := ClassificationReport(tc.YTrue, tc.YPred, tc.Labels)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("classification report:\n%s\nscikit-learn:\n%s", got, want)
		}
	}
	if checked < 15 {
		t.Errorf("only %d expected values checked; the fixture's keys may have changed", checked)
	}
}
