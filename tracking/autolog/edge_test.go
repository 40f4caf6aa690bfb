package autolog_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/tracking/autolog"
	"gonum.org/v1/gonum/mat"
)

// rowsOf returns the rows of d whose label passes keep, relabelled by
// relabel, as a new dataset with classNames.
func rowsOf(d *datasets.Dataset, keep func(y int) bool, relabel func(y int) int, classNames []string) *datasets.Dataset {
	var data []float64
	var ys []int
	for i, y := range d.Y {
		if keep(y) {
			data = append(data, d.X.RawRowView(i)...)
			ys = append(ys, relabel(y))
		}
	}
	return &datasets.Dataset{
		X: mat.NewDense(len(ys), d.Features(), data), Y: ys,
		FeatureNames: d.FeatureNames, TargetName: d.TargetName, ClassNames: classNames,
	}
}

func TestFitMetricEdgeCases(t *testing.T) {
	train, test := irisSplit(t)
	same := func(y int) int { return y }
	binary := []string{"setosa", "versicolor"}
	tests := []struct {
		name        string
		train, test *datasets.Dataset
		wantMissing []string // metrics left out, each with a warning
	}{
		{
			name:  "binary",
			train: rowsOf(train, func(y int) bool { return y < 2 }, same, binary),
			test:  rowsOf(test, func(y int) bool { return y < 2 }, same, binary),
		},
		{
			// A test set holding one class: ROC AUC is undefined there, as
			// scikit-learn says; everything else is still logged.
			name:        "one class in the test set",
			train:       train,
			test:        rowsOf(test, func(y int) bool { return y == 0 }, same, train.ClassNames),
			wantMissing: []string{"test_roc_auc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openClient(t)
			res, err := autolog.Fit(context.Background(), c, &centroid{}, tt.train, tt.test, autolog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(res.Metrics), 14-len(tt.wantMissing); got != want {
				t.Errorf("%d metrics, want %d: %v", got, want, res.Metrics)
			}
			for _, m := range tt.wantMissing {
				if _, ok := res.Metrics[m]; ok {
					t.Errorf("metric %s logged, want it left out", m)
				}
				found := false
				for _, w := range res.Warnings {
					found = found || strings.HasPrefix(w, m+" not logged")
				}
				if !found {
					t.Errorf("no warning about %s in %q", m, res.Warnings)
				}
			}
			if auc, ok := res.Metrics["training_roc_auc"]; !ok || auc < 0.9 {
				t.Errorf("training_roc_auc = %v (%v), want a high AUC", auc, ok)
			}
		})
	}
}

func TestFitWithoutSourceFile(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	train, test := irisSplit(t)
	const missing = "/nowhere/cmd/train/main.go"
	res, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{SourceFile: missing})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := c.GetRun(ctx, res.RunID)
	if name, _ := run.Tag("mlflow.source.name"); name != missing {
		t.Errorf("mlflow.source.name %q, want the recorded path %q", name, missing)
	}
	if _, ok := run.Tag("mlflow.source.git.commit"); ok {
		t.Error("a git commit was recorded for a source that is not here")
	}
	files, err := c.Store().Artifacts(ctx, res.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := files.List(ctx, "")
	for _, f := range list {
		if f.Path == "code" {
			t.Errorf("code/ logged for a missing source: %+v", list)
		}
	}
	if res.SourceFile != "" || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], missing) {
		t.Errorf("SourceFile %q, warnings %q: want none logged and one warning naming the path", res.SourceFile, res.Warnings)
	}
	if run.Info.Status != "FINISHED" {
		t.Errorf("status %s, want FINISHED", run.Info.Status)
	}
}

// TestFitDatasetSourceAsMLflowWritesIt checks that a dataset's source is
// JSON as MLflow's Python client writes it: a path holding '<' or '&' is
// stored as typed, not HTML-escaped.
func TestFitDatasetSourceAsMLflowWritesIt(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	train, test := irisSplit(t)
	const source = "/data/a<b&c>.csv"
	res, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{DatasetSource: source})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Inputs.Datasets) == 0 {
		t.Fatal("no dataset inputs recorded")
	}
	want := `{"uri": "` + strings.ReplaceAll(mustAbs(t, source), `\`, `\\`) + `"}`
	for _, d := range run.Inputs.Datasets {
		if d.Dataset.SourceType != "local" || d.Dataset.Source != want {
			t.Errorf("dataset %s source %s %s, want local %s", d.Dataset.Name, d.Dataset.SourceType, d.Dataset.Source, want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
