package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/golden"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// goldenCases are command lines whose whole outcome (exit status, stdout,
// stderr) is pinned in testdata/<name>.golden. $TMP stands for a fresh
// folder, and tracked runs go to $TMP/mlflow.db.
var goldenCases = []struct {
	name string
	args []string
	code int
}{
	{"iris-default", []string{"-no-track"}, 0},
	{"iris-stratified", []string{"-no-track", "-test-size", "0.3", "-stratify", "-seed", "7", "-trees", "20"}, 0},
	{"iris-smallest", []string{"-no-track", "-test-size", "0.01"}, 0},
	{"iris-json", []string{"-no-track", "-json", "-test-size", "0.1", "-seed", "3"}, 0},
	{"iris-tracked", []string{"-tracking-uri", "sqlite:///$TMP/mlflow.db", "-run-name", "golden", "-metric", "accuracy_on_new_data=0.98", "-report", "$TMP/chart.html"}, 0},
	{"iris-tracked-json", []string{"-tracking-uri", "sqlite:///$TMP/mlflow.db", "-run-name", "golden", "-experiment", "other", "-json", "-criterion", "entropy", "-max-depth", "3"}, 0},
	{"csv", []string{"-no-track", "-data", "testdata/small.csv", "-target", "label", "-max-features", "all", "-min-samples-leaf", "2"}, 0},
	{"csv-test-data", []string{"-no-track", "-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv", "-workers", "1"}, 0},
	{"help", []string{"-h"}, 0},

	{"usage-test-size-high", []string{"-test-size", "1.5"}, 2},
	{"usage-test-size-zero", []string{"-test-size", "0"}, 2},
	{"usage-test-size-text", []string{"-test-size", "half"}, 2},
	{"usage-test-size-nan", []string{"-test-size", "NaN"}, 2},
	{"usage-test-size-no-train", []string{"-test-size", "0.999"}, 2},
	{"usage-test-size-missing", []string{"-test-size"}, 2},
	{"usage-seed-negative", []string{"-seed", "-1"}, 2},
	{"usage-seed-too-big", []string{"-seed", "4294967296"}, 2},
	{"usage-trees-zero", []string{"-trees", "0"}, 2},
	{"usage-max-depth-negative", []string{"-max-depth", "-1"}, 2},
	{"usage-max-features", []string{"-max-features", "most"}, 2},
	{"usage-max-features-fraction", []string{"-max-features", "1.5"}, 2},
	{"usage-min-samples-leaf", []string{"-min-samples-leaf", "0"}, 2},
	{"usage-criterion", []string{"-criterion", "mse"}, 2},
	{"usage-workers", []string{"-workers", "-2"}, 2},
	{"usage-metric-no-value", []string{"-metric", "accuracy"}, 2},
	{"usage-metric-bad-name", []string{"-metric", "acc!=1"}, 2},
	{"usage-metric-bad-value", []string{"-metric", "acc=high"}, 2},
	{"usage-metric-out-of-range", []string{"-metric", "a=1e400"}, 2},
	{"usage-metric-twice", []string{"-metric", "acc=1", "-metric", "acc=2"}, 2},
	{"usage-metric-autolog-name", []string{"-metric", "test_accuracy_score=1"}, 2},
	{"usage-metric-no-track", []string{"-no-track", "-metric", "acc=1"}, 2},
	{"usage-report-no-track", []string{"-no-track", "-report", "chart.html"}, 2},
	{"usage-run-id-alone", []string{"-run-id", "abc"}, 2},
	{"usage-run-id-with-training", []string{"-run-id", "abc", "-metric", "acc=1", "-trees", "5"}, 2},
	{"usage-experiment-empty", []string{"-experiment", " "}, 2},
	{"usage-tracking-uri-scheme", []string{"-tracking-uri", "ftp://h/runs"}, 2},
	{"usage-tracking-uri-databricks", []string{"-tracking-uri", "databricks"}, 2},
	{"usage-tracking-uri-databricks-profile", []string{"-tracking-uri", "databricks://my-profile"}, 2},
	{"usage-tracking-uri-file-store", []string{"-tracking-uri", "file:///$TMP/mlruns"}, 2},
	{"usage-tracking-uri-password", []string{"-tracking-uri", "postgresql://ann:secret@h/db"}, 2},
	{"usage-unknown-flag", []string{"-tree", "10"}, 2},
	{"usage-argument", []string{"extra"}, 2},
	{"usage-stratify-few-test", []string{"-test-size", "0.01", "-stratify"}, 2},
	{"usage-test-data-alone", []string{"-test-data", "testdata/small_test.csv"}, 2},
	{"usage-test-data-and-size", []string{"-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv", "-test-size", "0.3"}, 2},
	{"usage-test-data-and-stratify", []string{"-data", "testdata/small.csv", "-test-data", "testdata/small_test.csv", "-stratify"}, 2},
	{"usage-target-without-data", []string{"-target", "species"}, 2},

	{"fail-bad-csv", []string{"-no-track", "-data", "testdata/bad.csv"}, 1},
	{"fail-no-target", []string{"-no-track", "-data", "testdata/small.csv", "-target", "species"}, 1},
	{"fail-missing-file", []string{"-no-track", "-data", "testdata/absent.csv"}, 1},
	{"fail-test-data-width", []string{"-no-track", "-data", "testdata/small.csv", "-test-data", "testdata/wide_test.csv"}, 1},
	{"fail-max-features-above-features", []string{"-no-track", "-max-features", "9"}, 1},
	{"fail-run-id-unknown", []string{"-tracking-uri", "sqlite:///$TMP/mlflow.db", "-run-id", "0123456789abcdef0123456789abcdef", "-metric", "acc=1"}, 1},
}

// normalize replaces what differs from one run to the next (the temp
// folder, ids, timings) with fixed words, so the rest can be compared byte
// for byte.
var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`m-[0-9a-f]{32}`), "m-<model-id>"},
	{regexp.MustCompile(`[0-9a-f]{32}`), "<run-id>"},
	{regexp.MustCompile(`\b\d+(\.\d+)? (ms|s)\b`), "<time>"},
	{regexp.MustCompile(`"(fit|predict)_seconds":[0-9.e-]+`), `"${1}_seconds":<time>`},
}

// scoreMasks hide the model's scores on stdout: they belong to package
// forest, which may change how it grows trees; the goldens pin the command's
// layout, and TestMetricsAreTheModels checks the numbers themselves.
var scoreMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b\d+\.\d{4}\b`), "#.####"},
	{regexp.MustCompile(`\b\d\.\d\d\b`), "#.##"},
	{regexp.MustCompile(`"((training|test)_([a-z0-9_]+_)?(score|loss|auc))":[-0-9.e+]+`), `"$1":#`},
}

func normalize(s, tmp string) string {
	s = strings.ReplaceAll(s, tmp, "$TMP")
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// maskScores masks the metric table and the classification report, leaving
// the lines the command computes itself (data, split, custom metrics, run).
func maskScores(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "{"):
			lines[i] = scoreMasks[2].re.ReplaceAllString(l, scoreMasks[2].with)
		case strings.Contains(l, ":  ") || strings.Contains(l, "(custom)"):
		default:
			for _, n := range scoreMasks[:2] {
				lines[i] = n.re.ReplaceAllString(lines[i], n.with)
			}
		}
	}
	return strings.Join(lines, "")
}

// runCmd runs the command as main would, minus the process exit.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	code = command.Exit(err, &errb)
	return code, out.String(), errb.String()
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv(tracking.EnvTrackingURI, "sqlite:///"+tmp+"/default.db")
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "$TMP", tmp)
			}
			code, stdout, stderr := runCmd(t, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if code != 0 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("a failure must be one line on stderr, got %q", stderr)
			}
			got := normalize(fmt.Sprintf("$ train %s\nexit %d\n-- stdout --\n%s-- stderr --\n%s", strings.Join(tc.args, " "), code, maskScores(stdout), stderr), tmp)
			golden.Check(t, tc.name, got, *update)
		})
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-no-track"}, &stdout, &stderr)
	if code := command.Exit(err, &stderr); code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130 (err %v)", code, err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "train: interrupted") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr %q", got)
	}
}

// TestCustomMetricsLater trains a tracked run, then adds a metric to it by
// id as a data scientist would after scoring new data, and reads both back.
func TestCustomMetricsLater(t *testing.T) {
	tmp := t.TempDir()
	uri := "sqlite:///" + tmp + "/mlflow.db"
	code, stdout, stderr := runCmd(t, "-tracking-uri", uri, "-json", "-trees", "10", "-metric", "first=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("-json printed %q: %v", stdout, err)
	}
	runID, _ := out["run_id"].(string)
	for _, k := range []string{"fit_seconds", "predict_seconds", "test_accuracy_score", "training_log_loss", "experiment_id", "artifact_uri", "first"} {
		if _, ok := out[k]; !ok {
			t.Errorf("-json output lacks %s", k)
		}
	}
	code, stdout, stderr = runCmd(t, "-tracking-uri", uri, "-run-id", runID, "-metric", "accuracy_on_dataset_xyz=0.98", "-metric", "n_new=42")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "logged accuracy_on_dataset_xyz = 0.98 to run "+runID) {
		t.Errorf("stdout %q", stdout)
	}
	c, err := tracking.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.GetRun(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range r.Data.Metrics {
		got[m.Key] = m.Value
	}
	for k, v := range map[string]float64{"first": 1, "accuracy_on_dataset_xyz": 0.98, "n_new": 42} {
		if got[k] != v {
			t.Errorf("metric %s = %v, want %v (run has %v)", k, got[k], v, got)
		}
	}
	if got["test_accuracy_score"] <= 0.8 {
		t.Errorf("test_accuracy_score %v: the forest did not learn Iris", got["test_accuracy_score"])
	}
}

// TestInterruptedWhileTraining presses Ctrl-C in the middle of a long fit:
// the command exits 130 and the run is recorded as KILLED, not left RUNNING.
func TestInterruptedWhileTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping a timed interruption in -short mode")
	}
	tmp := t.TempDir()
	uri := "sqlite:///" + tmp + "/mlflow.db"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var code int
	var stderr bytes.Buffer
	go func() {
		defer close(done)
		err := run(ctx, []string{"-tracking-uri", uri, "-trees", "1000000", "-run-name", "long"}, io.Discard, &stderr)
		code = command.Exit(err, &stderr)
	}()
	c, err := tracking.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Wait until the run exists, so the interruption lands in training.
	var runID string
	for deadline := time.Now().Add(time.Minute); runID == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		exp, err := c.Store().GetExperimentByName(context.Background(), "random_forest")
		if err != nil {
			continue
		}
		if runs, err := c.SearchRuns(context.Background(), exp.ID); err == nil && len(runs) == 1 {
			runID = runs[0].Info.RunID
		}
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the command did not stop within a minute of Ctrl-C")
	}
	if code != 130 || !strings.HasPrefix(stderr.String(), "train: interrupted") {
		t.Errorf("exit %d, stderr %q; want 130 and an interrupted line", code, stderr.String())
	}
	if runID == "" {
		t.Fatal("the run never appeared in the store")
	}
	r, err := c.GetRun(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Status != "KILLED" {
		t.Errorf("run status %s after Ctrl-C, want KILLED", r.Info.Status)
	}
}

// TestMetricsAreTheModels checks the numbers the goldens mask: the command's
// metrics are those of the forest it says it trained, on the split it says
// it made.
func TestMetricsAreTheModels(t *testing.T) {
	code, stdout, stderr := runCmd(t, "-no-track", "-json", "-test-size", "0.3", "-seed", "5", "-trees", "30", "-criterion", "entropy")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	f := forest.New(forest.Config{Trees: 30, Criterion: forest.Entropy, Seed: 5})
	if err := f.Fit(context.Background(), train.X, train.Y, train.Classes()); err != nil {
		t.Fatal(err)
	}
	pred, _ := f.Predict(test.X)
	acc, _ := evaluate.Accuracy(test.Y, pred)
	proba, _ := f.PredictProba(test.X)
	ll, _ := evaluate.LogLoss(test.Y, proba)
	if out["test_accuracy_score"] != acc || out["test_log_loss"] != ll {
		t.Errorf("command says accuracy %v log loss %v; the same forest gives %v and %v", out["test_accuracy_score"], out["test_log_loss"], acc, ll)
	}
	if acc < 0.85 {
		t.Errorf("test accuracy %v: the forest did not learn Iris", acc)
	}
}
