package experiments

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
)

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..")
}

// binaries are the commands the tests have built, by package, in dir: the
// tests that start a command as a user does share one build of it.
var binaries struct {
	sync.Mutex
	dir  string
	path map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// built returns the binary of the package pkg (such as ./cmd/train),
// building it the first time a test asks for it.
func built(t *testing.T, pkg string) string {
	t.Helper()
	binaries.Lock()
	defer binaries.Unlock()
	if p, ok := binaries.path[pkg]; ok {
		return p
	}
	if binaries.dir == "" {
		dir, err := os.MkdirTemp("", "grove-experiments")
		if err != nil {
			t.Fatal(err)
		}
		binaries.dir, binaries.path = dir, map[string]string{}
	}
	out := filepath.Join(binaries.dir, path.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	binaries.path[pkg] = out
	return out
}

// TestSweepEndToEnd builds the train command and the sweep, runs the
// five-size sweep (two runs at a time, sharing one mlflow.db) and reads
// everything back with grove's own tracking client.
func TestSweepEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the end-to-end sweep in -short mode")
	}
	tmp := t.TempDir()
	train := built(t, "./cmd/train")
	sweep := built(t, "./experiments/sweep")

	uri := "sqlite:///" + filepath.ToSlash(filepath.Join(tmp, "mlflow.db"))
	cmd := exec.Command(sweep, "-parallel", "2", "-train", train, "-tracking-uri", uri, "-report", filepath.Join(tmp, "chart.html"))
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, out)
	}
	t.Logf("sweep said:\n%s", out)

	ctx := context.Background()
	client, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	exp, err := client.Store().GetExperimentByName(ctx, "test_size_sweep")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := client.SearchRuns(ctx, exp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 5 {
		t.Fatalf("%d runs in the experiment, want 5", len(runs))
	}
	seen := map[string]bool{}
	for _, r := range runs {
		size, _ := r.Param("test_size")
		t.Run("test_size="+size, func(t *testing.T) {
			seen[size] = true
			checkRun(t, ctx, client, r)
		})
	}
	for _, s := range []string{"0.3", "0.2", "0.1", "0.05", "0.01"} {
		if !seen[s] {
			t.Errorf("no run with test_size %s", s)
		}
	}
	if page, err := os.ReadFile(filepath.Join(tmp, "chart.html")); err != nil || !bytes.Contains(page, []byte("test_size=0.01")) {
		t.Errorf("the chart file does not show the runs (%v)", err)
	}
}

func checkRun(t *testing.T, ctx context.Context, client *tracking.Client, r *store.Run) {
	if r.Info.Status != store.StatusFinished {
		t.Errorf("status %s, want FINISHED", r.Info.Status)
	}
	sizeText, _ := r.Param("test_size")
	size, err := strconv.ParseFloat(sizeText, 64)
	if err != nil {
		t.Fatalf("test_size param %q", sizeText)
	}
	nTrain, nTest, _ := datasets.SplitSizes(150, datasets.SplitOptions{TestSize: size})

	// Params: the command's own and the forest's, under scikit-learn's names.
	wantParams := map[string]string{
		"split_seed": "0", "stratify": "False", "data_source": iris.Source,
		"data_rows": "150", "data_features": "4", "data_classes": "3",
		"train_rows": strconv.Itoa(nTrain), "test_rows": strconv.Itoa(nTest),
		"n_estimators": "100", "criterion": "gini", "max_features": "sqrt",
		"max_depth": "None", "min_samples_leaf": "1", "bootstrap": "True", "random_state": "0",
	}
	for k, v := range wantParams {
		if got, ok := r.Param(k); !ok || got != v {
			t.Errorf("param %s = %q (present %v), want %q", k, got, ok, v)
		}
	}

	// Metrics: autolog's two families.
	for _, prefix := range []string{autolog.PrefixTraining, autolog.PrefixTest} {
		for _, m := range []string{autolog.MetricAccuracy, autolog.MetricPrecision, autolog.MetricRecall,
			autolog.MetricF1, autolog.MetricLogLoss, autolog.MetricROCAUC, autolog.MetricScore} {
			if _, ok := r.Metric(prefix + m); !ok {
				t.Errorf("metric %s%s missing", prefix, m)
			}
		}
	}

	// Tags.
	wantTags := map[string]string{
		autolog.TagEstimatorName:  "RandomForestClassifier",
		autolog.TagEstimatorClass: "github.com/grove-ml/grove/models/forest.Forest",
		"mlflow.runName":          "test_size=" + sizeText,
		"mlflow.source.type":      "LOCAL",
		"mlflow.autologging":      "grove",
	}
	for k, v := range wantTags {
		if got, _ := r.Tag(k); got != v {
			t.Errorf("tag %s = %q, want %q", k, got, v)
		}
	}
	if u, _ := r.Tag("mlflow.user"); u == "" {
		t.Error("tag mlflow.user is empty")
	}
	src, _ := r.Tag("mlflow.source.name")
	if !strings.Contains(src, "cmd/train/") || !strings.HasSuffix(src, ".go") {
		t.Errorf("mlflow.source.name = %q, want the train command's source", src)
	}
	if _, err := os.Stat(filepath.Join(repoRoot(t), ".git")); err == nil {
		if c, _ := r.Tag("mlflow.source.git.commit"); len(c) != 40 {
			t.Errorf("mlflow.source.git.commit = %q in a git work tree", c)
		}
	}

	// Artifacts: the pictures decode, the source file is there.
	repo, err := client.Store().Artifacts(ctx, r.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		rc, err := repo.Open(ctx, p)
		if err != nil {
			t.Errorf("artifact %s: %v", p, err)
			return nil
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	for _, p := range []string{"training_confusion_matrix.png", "test_confusion_matrix.png"} {
		img, err := png.Decode(bytes.NewReader(read(p)))
		if err != nil {
			t.Errorf("%s does not decode: %v", p, err)
		} else if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("%s is only %v", p, b)
		}
	}
	code, err := repo.List(ctx, "code")
	if err != nil || len(code) == 0 {
		t.Errorf("no source file under code/ (%v)", err)
	} else if body := read(code[0].Path); !bytes.Contains(body, []byte("package main")) {
		t.Errorf("code file %s is not the command's source", code[0].Path)
	}

	// Data: train and test inputs whose digests are those of the split.
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: size, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	digests := map[string]string{}
	for _, in := range r.Inputs.Datasets {
		for _, tag := range in.Tags {
			if tag.Key == tracking.TagDataContext {
				digests[tag.Value] = in.Dataset.Digest
			}
		}
	}
	if digests["train"] != train.Digest() || digests["test"] != test.Digest() {
		t.Errorf("dataset digests %v, want train %s test %s", digests, train.Digest(), test.Digest())
	}

	// The logged model loads and predicts exactly what training gave.
	if len(r.Outputs.Models) != 1 {
		t.Fatalf("%d output models, want 1", len(r.Outputs.Models))
	}
	rc, mlmodel, err := autolog.OpenModel(ctx, client, r.Outputs.Models[0].ModelID)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := forest.Load(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("model file does not load: %v (MLmodel %+v)", err, mlmodel)
	}
	fresh := forest.New(forest.Config{Seed: 0})
	if err := fresh.Fit(ctx, train.X, train.Y, train.Classes()); err != nil {
		t.Fatal(err)
	}
	gotPred, _ := loaded.Predict(test.X)
	wantPred, _ := fresh.Predict(test.X)
	if !slices.Equal(gotPred, wantPred) {
		t.Errorf("loaded model predicts %v, the trained one %v", gotPred, wantPred)
	}
	gotProba, _ := loaded.PredictProba(test.X)
	wantProba, _ := fresh.PredictProba(test.X)
	if !slices.Equal(gotProba.RawMatrix().Data, wantProba.RawMatrix().Data) {
		t.Error("loaded model's probabilities differ from the trained one's")
	}
	acc, _ := evaluate.Accuracy(test.Y, gotPred)
	if m, _ := r.Metric("test_accuracy_score"); m.Value != acc {
		t.Errorf("test_accuracy_score %v, the loaded model scores %v", m.Value, acc)
	}
	ll, _ := evaluate.LogLoss(test.Y, gotProba)
	if m, _ := r.Metric("test_log_loss"); math.Abs(m.Value-ll) > 1e-12 {
		t.Errorf("test_log_loss %v, the loaded model gives %v", m.Value, ll)
	}
}

// TestLibraryExample runs the screenful of library code and checks that its
// run, with the custom metric it adds afterwards, is in the store.
func TestLibraryExample(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the library example in -short mode")
	}
	tmp := t.TempDir()
	bin := built(t, "./experiments/library")
	uri := "sqlite:///" + filepath.ToSlash(filepath.Join(tmp, "mlflow.db"))
	cmd := exec.Command(bin)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), tracking.EnvTrackingURI+"="+uri)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("library example: %v\n%s", err, out)
	}
	ctx := context.Background()
	client, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	exp, err := client.Store().GetExperimentByName(ctx, "library_example")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := client.SearchRuns(ctx, exp.ID)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs (%v), want 1", len(runs), err)
	}
	r := runs[0]
	if r.Info.Status != store.StatusFinished {
		t.Errorf("status %s", r.Info.Status)
	}
	m, ok := r.Metric("accuracy_on_setosa_virginica")
	if !ok || m.Value < 0.9 || m.Value > 1 {
		t.Errorf("custom metric %v (present %v)", m.Value, ok)
	}
	if src, _ := r.Tag("mlflow.source.name"); !strings.HasSuffix(src, "experiments/library/main.go") {
		t.Errorf("mlflow.source.name %q, want the example's own file", src)
	}
	if !strings.Contains(string(out), r.Info.RunID) {
		t.Errorf("the example did not print its run id:\n%s", out)
	}
}
