package autolog_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
	"gonum.org/v1/gonum/mat"
)

// wideData makes a table too wide for MLflow's limit on a dataset schema
// (1,048,575 characters, reached at about 19,000 columns).
func wideData(rows, features int, seed uint64) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	x := make([]float64, rows*features)
	y := make([]int, rows)
	for i := range y {
		y[i] = i % 2
		for j := 0; j < features; j++ {
			x[i*features+j] = rng.NormFloat64() + float64(y[i])
		}
	}
	names := make([]string, features)
	for j := range names {
		names[j] = fmt.Sprintf("feature_%05d", j)
	}
	return &datasets.Dataset{X: mat.NewDense(rows, features, x), Y: y, FeatureNames: names, TargetName: "y", ClassNames: []string{"0", "1"}}
}

// A dataset whose schema MLflow would refuse is recorded without it, with
// one warning, and the model is trained: the run ends FINISHED.
func TestFitWideDataset(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	const features = 20_000
	train, test := wideData(20, features, 1), wideData(8, features, 2)
	res, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{Experiment: "wide"})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Info.Status != store.StatusFinished {
		t.Errorf("run is %s, want FINISHED", run.Info.Status)
	}
	if len(run.Inputs.Datasets) != 2 {
		t.Fatalf("%d dataset inputs, want train and test", len(run.Inputs.Datasets))
	}
	for i, d := range run.Inputs.Datasets {
		want := []*datasets.Dataset{train, test}[i]
		if d.Dataset.Schema != "" || d.Dataset.Digest != want.Digest() || !strings.Contains(d.Dataset.Profile, fmt.Sprintf(`"num_rows": %d`, want.Rows())) {
			t.Errorf("input %d: schema of %d characters, digest %s, profile %s; want no schema, digest %s", i, len(d.Dataset.Schema), d.Dataset.Digest, d.Dataset.Profile, want.Digest())
		}
	}
	var schemaWarnings []string
	for _, w := range res.Warnings {
		if strings.Contains(w, "schema") {
			schemaWarnings = append(schemaWarnings, w)
		}
	}
	if len(schemaWarnings) != 1 || !strings.Contains(schemaWarnings[0], "1048575") {
		t.Errorf("warnings %q: want one about the schema naming MLflow's limit", res.Warnings)
	}
	if _, ok := run.Metric("training_accuracy_score"); !ok {
		t.Error("no training metrics: the model was not trained")
	}
}
