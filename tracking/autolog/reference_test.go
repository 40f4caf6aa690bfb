package autolog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/internal/sharedtest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/internal/gitinfo"
	"github.com/grove-ml/grove/tracking/store"
)

// mlflowReference is the part of the real autolog run's read-back that
// grove's run must match in shape.
type mlflowReference struct {
	LoggedModels []struct {
		Artifacts []struct{ Path string } `json:"artifacts"`
		Name      string                  `json:"name"`
		Status    string                  `json:"status"`
		Tags      map[string]string       `json:"tags"`
	} `json:"logged_models"`
	Runs []struct {
		Artifacts []struct{ Path string } `json:"artifacts"`
		Info      struct{ Status string } `json:"info"`
		Inputs    struct {
			Datasets []struct {
				Name string            `json:"name"`
				Tags map[string]string `json:"tags"`
			} `json:"datasets"`
		} `json:"inputs"`
		Metrics map[string]struct {
			Step int64 `json:"step"`
		} `json:"metrics"`
		Tags map[string]string `json:"tags"`
	} `json:"runs"`
}

func readReference(t *testing.T) mlflowReference {
	t.Helper()
	b, err := os.ReadFile("testdata/mlflow-autolog-iris.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref mlflowReference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Runs) != 1 || len(ref.LoggedModels) != 1 {
		t.Fatalf("reference holds %d runs and %d models, want 1 and 1", len(ref.Runs), len(ref.LoggedModels))
	}
	return ref
}

func TestFitRecordsWhatMLflowAutologRecords(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	train, test := irisSplit(t)
	model := &centroid{Temperature: 0.5}
	res, err := autolog.Fit(ctx, c, model, train, test, autolog.Options{
		Experiment:  "autolog-iris",
		RunName:     "centroid-1",
		Params:      map[string]string{"test_size": "0.3", "split_seed": "0"},
		DatasetName: "iris",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("metrics %v, warnings %v", res.Metrics, res.Warnings)
	ref := readReference(t)
	run, err := c.GetRun(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("run", func(t *testing.T) {
		if run.Info.Status != store.StatusFinished || run.Info.EndTime < run.Info.StartTime || run.Info.RunName != "centroid-1" {
			t.Errorf("run info %+v", run.Info)
		}
		if res.ExperimentID != run.Info.ExperimentID || res.ArtifactURI != run.Info.ArtifactURI || res.RunName != "centroid-1" {
			t.Errorf("result %+v does not match the run %+v", res, run.Info)
		}
		if res.FitSeconds <= 0 || res.PredictSeconds <= 0 || res.Model != model || len(res.TestPredictions) != test.Rows() {
			t.Errorf("result timings/model/predictions: %+v", res)
		}
	})

	t.Run("params", func(t *testing.T) {
		want := map[string]string{"temperature": "0.5", "metric": "euclidean", "test_size": "0.3", "split_seed": "0"}
		if len(run.Data.Params) != len(want) {
			t.Errorf("%d params %v, want %v", len(run.Data.Params), run.Data.Params, want)
		}
		for k, v := range want {
			if got, _ := run.Param(k); got != v {
				t.Errorf("param %s = %q, want %q", k, got, v)
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		var names []string
		for _, p := range []string{"training_", "test_"} {
			for _, m := range []string{"accuracy_score", "precision_score", "recall_score", "f1_score", "log_loss", "roc_auc", "score"} {
				names = append(names, p+m)
			}
		}
		// Every training metric MLflow's autolog logged, grove logs too.
		for k, m := range ref.Runs[0].Metrics {
			if strings.HasPrefix(k, "training_") && (!slices.Contains(names, k) || m.Step != 0) {
				t.Errorf("reference metric %s (step %d) is not in grove's list", k, m.Step)
			}
		}
		if len(run.Data.Metrics) != len(names) || len(res.Metrics) != len(names) {
			t.Errorf("%d metrics stored, %d in the result, want %d: %v", len(run.Data.Metrics), len(res.Metrics), len(names), res.Warnings)
		}
		for _, n := range names {
			m, ok := run.Metric(n)
			if !ok || m.Step != 0 || m.Value != res.Metrics[n] {
				t.Errorf("metric %s = %+v (found %v), result says %v", n, m, ok, res.Metrics[n])
			}
		}
		// Accuracy counted here, independently of the code under test.
		pred, _ := model.Predict(test.X)
		right := 0
		for i, p := range pred {
			if p == test.Y[i] {
				right++
			}
		}
		acc := float64(right) / float64(test.Rows())
		if res.Metrics["test_accuracy_score"] != acc || res.Metrics["test_score"] != acc {
			t.Errorf("test accuracy %v, score %v; counted %v", res.Metrics["test_accuracy_score"], res.Metrics["test_score"], acc)
		}
		for _, n := range names {
			v := res.Metrics[n]
			if strings.HasSuffix(n, "log_loss") {
				if !(v > 0) {
					t.Errorf("%s = %v, want > 0", n, v)
				}
			} else if v < 0.5 || v > 1 {
				t.Errorf("%s = %v, want within [0.5, 1] for Iris", n, v)
			}
		}
	})

	t.Run("tags", func(t *testing.T) {
		for k := range ref.Runs[0].Tags {
			if _, ok := run.Tag(k); !ok {
				t.Errorf("MLflow's autolog sets tag %s; grove's run lacks it", k)
			}
		}
		_, thisFile, _, _ := runtime.Caller(0)
		want := map[string]string{
			"estimator_name":     "NearestCentroid",
			"estimator_class":    "github.com/grove-ml/grove/tracking/autolog_test.centroid",
			"mlflow.autologging": "grove",
			"mlflow.runName":     "centroid-1",
			"mlflow.source.type": "LOCAL",
			"mlflow.source.name": "reference_test.go",
			"mlflow.user":        tracking.CurrentUser(),
		}
		for k, v := range want {
			if got, _ := run.Tag(k); got != v {
				t.Errorf("tag %s = %q, want %q", k, got, v)
			}
		}
		commit, gerr := gitinfo.Commit(thisFile)
		got, ok := run.Tag("mlflow.source.git.commit")
		if (gerr == nil) != ok || got != commit {
			t.Errorf("git commit tag %q (set %v), the work tree says %q (%v)", got, ok, commit, gerr)
		}
	})

	t.Run("artifacts", func(t *testing.T) {
		repo, err := c.Store().Artifacts(ctx, res.ArtifactURI)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range ref.Runs[0].Artifacts {
			if strings.HasSuffix(a.Path, ".png") {
				checkPNG(t, ctx, repo, a.Path)
			}
		}
		checkPNG(t, ctx, repo, "test_confusion_matrix.png")
		_, thisFile, _, _ := runtime.Caller(0)
		want, _ := os.ReadFile(thisFile)
		rc, err := repo.Open(ctx, "code/reference_test.go")
		if err != nil {
			t.Fatalf("source file not logged: %v", err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("code/reference_test.go differs from the source (%d bytes, want %d)", len(got), len(want))
		}
		if res.SourceFile != thisFile {
			t.Errorf("Result.SourceFile = %q, want %q", res.SourceFile, thisFile)
		}
	})

	t.Run("datasets", func(t *testing.T) {
		if len(run.Inputs.Datasets) != 2 {
			t.Fatalf("%d dataset inputs, want train and test", len(run.Inputs.Datasets))
		}
		refCtx := ref.Runs[0].Inputs.Datasets[0].Tags["mlflow.data.context"]
		byCtx := map[string]store.DatasetInput{}
		for _, d := range run.Inputs.Datasets {
			for _, tg := range d.Tags {
				if tg.Key == "mlflow.data.context" {
					byCtx[tg.Value] = d
				}
			}
		}
		for ctxName, ds := range map[string]*datasets.Dataset{refCtx: train, "test": test} {
			d, ok := byCtx[ctxName]
			if !ok {
				t.Errorf("no dataset input with context %s", ctxName)
				continue
			}
			if d.Dataset.Name != "iris" || d.Dataset.Digest != ds.Digest() || d.Dataset.SourceType != "code" {
				t.Errorf("%s dataset %+v", ctxName, d.Dataset)
			}
			var schema struct {
				Cols []struct{ Name, Type string } `json:"mlflow_colspec"`
			}
			if err := json.Unmarshal([]byte(d.Dataset.Schema), &schema); err != nil || len(schema.Cols) != 4 || schema.Cols[0].Name != ds.FeatureNames[0] || schema.Cols[0].Type != "double" {
				t.Errorf("%s schema %s (%v)", ctxName, d.Dataset.Schema, err)
			}
			var profile struct{ NumRows, NumElements int }
			_ = json.Unmarshal([]byte(strings.NewReplacer("num_rows", "NumRows", "num_elements", "NumElements").Replace(d.Dataset.Profile)), &profile)
			if profile.NumRows != ds.Rows() || profile.NumElements != 4*ds.Rows() {
				t.Errorf("%s profile %s", ctxName, d.Dataset.Profile)
			}
		}
	})

	t.Run("model", func(t *testing.T) {
		if len(run.Outputs.Models) != 1 || run.Outputs.Models[0].ModelID != res.ModelID {
			t.Fatalf("run outputs %+v, want the model %s", run.Outputs, res.ModelID)
		}
		lm, err := c.Store().GetLoggedModel(ctx, res.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		rm := ref.LoggedModels[0]
		if lm.Name != rm.Name || lm.Status.String() != "LOGGED_MODEL_"+rm.Status || lm.SourceRunID != res.RunID {
			t.Errorf("logged model %+v, want name %s status %s", lm, rm.Name, rm.Status)
		}
		tags := map[string]string{}
		for _, tg := range lm.Tags {
			tags[tg.Key] = tg.Value
		}
		for k := range rm.Tags {
			if tags[k] == "" {
				t.Errorf("logged model lacks tag %s (MLflow sets it)", k)
			}
		}
		if len(lm.Params) != 2 {
			t.Errorf("logged model params %v, want the model's 2", lm.Params)
		}
		rc, mm, err := autolog.OpenModel(ctx, c, res.ModelID)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := loadCentroid(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		fl := mm.Flavors["grove"]
		if mm.RunID != res.RunID || mm.ModelID != res.ModelID || fl["model_file"] != "model.grove" || fl["format"] != "test-centroid" || fl["format_version"] != 1 || mm.Signature == nil || mm.Created.IsZero() {
			t.Errorf("MLmodel %+v", mm)
		}
		if !strings.Contains(fl["class_names"].(string), "setosa") {
			t.Errorf("class names %v", fl["class_names"])
		}
		before, _ := model.Predict(test.X)
		after, _ := loaded.Predict(test.X)
		if !slices.Equal(before, after) {
			t.Error("the logged model predicts differently from the trained one")
		}
		repo, _ := c.Store().Artifacts(ctx, lm.ArtifactLocation)
		files, _ := repo.List(ctx, "")
		var paths []string
		for _, f := range files {
			paths = append(paths, f.Path)
		}
		sort.Strings(paths)
		if strings.Join(paths, " ") != "MLmodel model.grove" {
			t.Errorf("model files %v", paths)
		}
	})
}

func checkPNG(t *testing.T, ctx context.Context, repo store.ArtifactRepo, p string) {
	t.Helper()
	rc, err := repo.Open(ctx, p)
	if err != nil {
		t.Errorf("artifact %s: %v", p, err)
		return
	}
	defer rc.Close()
	img, err := png.Decode(rc)
	if err != nil {
		t.Errorf("artifact %s does not decode as PNG: %v", p, err)
		return
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("artifact %s is only %v", p, b)
	}
}

// TestReferenceIsSharedCopy keeps testdata/mlflow-autolog-iris.json, what
// MLflow's own sklearn autolog recorded, the copy of the shared fixture.
func TestReferenceIsSharedCopy(t *testing.T) {
	sharedtest.SameAsSource(t, "testdata/mlflow-autolog-iris.json", "fixtures/mlflow/autolog-iris/read_store.json")
}
