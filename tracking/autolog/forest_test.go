package autolog_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking/autolog"
)

// TestFitForestMatchesMLflowReference runs grove's forest with the
// reference run's hyper-parameters (n_estimators=10, max_depth=3,
// random_state=0) and checks that params, estimator name and logged model
// come out as MLflow's autolog recorded them for scikit-learn's forest.
func TestFitForestMatchesMLflowReference(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	train, test := irisSplit(t)
	model := forest.New(forest.Config{Trees: 10, MaxDepth: 3, Seed: 0})
	res, err := autolog.Fit(ctx, c, model, train, test, autolog.Options{Experiment: "autolog-iris"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/mlflow-autolog-iris.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		LoggedModels []struct {
			Params map[string]string `json:"params"`
		} `json:"logged_models"`
		Runs []struct {
			Params map[string]string `json:"params"`
			Tags   map[string]string `json:"tags"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Data.Params) != len(ref.Runs[0].Params) {
		t.Errorf("%d params, MLflow logged %d", len(run.Data.Params), len(ref.Runs[0].Params))
	}
	for k, want := range ref.Runs[0].Params {
		if got, _ := run.Param(k); got != want {
			t.Errorf("param %s = %q, MLflow logged %q", k, got, want)
		}
	}
	if got, _ := run.Tag("estimator_name"); got != ref.Runs[0].Tags["estimator_name"] {
		t.Errorf("estimator_name %q, MLflow logged %q", got, ref.Runs[0].Tags["estimator_name"])
	}
	if got, _ := run.Tag("estimator_class"); got != "github.com/grove-ml/grove/models/forest.Forest" {
		t.Errorf("estimator_class %q", got)
	}
	lm, err := c.Store().GetLoggedModel(ctx, res.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for _, p := range lm.Params {
		params[p.Key] = p.Value
	}
	for k, want := range ref.LoggedModels[0].Params {
		if params[k] != want {
			t.Errorf("logged model param %s = %q, MLflow attached %q", k, params[k], want)
		}
	}
	if res.Metrics["test_accuracy_score"] < 0.85 {
		t.Errorf("test accuracy %v on Iris, want at least 0.85", res.Metrics["test_accuracy_score"])
	}

	rc, mm, err := autolog.OpenModel(ctx, c, res.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if mm.Flavors["grove"]["format"] != "grove-forest" {
		t.Errorf("MLmodel flavor %v", mm.Flavors["grove"])
	}
	loaded, err := forest.Load(rc)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := model.Predict(test.X)
	got, err := loaded.Predict(test.X)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("the logged forest predicts %v (%v), the trained one %v", got, err, want)
	}
	wp, _ := model.PredictProba(test.X)
	gp, _ := loaded.PredictProba(test.X)
	if !slices.Equal(wp.RawMatrix().Data, gp.RawMatrix().Data) {
		t.Error("the logged forest's probabilities differ from the trained one's")
	}
}
