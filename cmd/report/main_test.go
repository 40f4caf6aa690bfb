package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/golden"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// record makes a real MLflow SQLite database with an experiment "iris" of
// five runs over test sizes, an empty experiment "fresh", and returns the
// database URI and the id of the newest run.
func record(t *testing.T, dir string) (uri, newest string) {
	t.Helper()
	ctx := context.Background()
	uri = "sqlite:///" + filepath.Join(dir, "mlflow.db")
	c, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exp, err := c.GetOrCreateExperiment(ctx, "iris")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOrCreateExperiment(ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	for i, ts := range []string{"0.1", "0.2", "0.3", "0.4", "0.5"} {
		r, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{
			Name: "forest-" + ts, User: "grove", SourceName: "train",
			StartTime: time.UnixMilli(1_790_000_000_000 + int64(i)*60_000),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LogParams(ctx, map[string]string{"test_size": ts, "n_estimators": "100"}); err != nil {
			t.Fatal(err)
		}
		if err := r.LogMetrics(ctx, map[string]float64{"test_accuracy_score": 0.97 - 0.02*float64(i), "training_accuracy_score": 1}, 0); err != nil {
			t.Fatal(err)
		}
		if err := r.End(ctx, store.StatusFinished); err != nil {
			t.Fatal(err)
		}
		newest = r.ID()
	}
	return uri, newest
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	uri, newest := record(t, dir)
	expand := func(s string) string {
		return strings.NewReplacer("$TMP", dir, "$URI", uri, "$RUN", newest).Replace(s)
	}
	tests := []struct {
		name string
		args string
		env  string // MLFLOW_TRACKING_URI
		code int
		runs int // runs drawn in the page written to $TMP/<name>.html; -1: no page
	}{
		{"experiment", "-tracking-uri $URI -experiment iris -o $TMP/experiment.html", "", 0, 5},
		{"experiment-id", "-tracking-uri $URI -experiment-id 1 -x run -o $TMP/experiment-id.html", "", 0, 5},
		{"env-uri", "-experiment iris -x param:n_estimators -o $TMP/env-uri.html", "$URI", 0, 5},
		{"attach", "-tracking-uri $URI -attach $RUN -title Sweep -o $TMP/attach.html", "", 0, 5},
		{"empty-experiment", "-tracking-uri $URI -experiment fresh -o $TMP/empty-experiment.html", "", 0, 0},
		{"no-experiment", "-tracking-uri $URI -experiment nope -o $TMP/x.html", "", 1, -1},
		{"no-database", "-tracking-uri sqlite:///$TMP/none.db -experiment iris", "", 1, -1},
		{"no-run", "-tracking-uri $URI -attach 0123456789abcdef0123456789abcdef", "", 1, -1},
		{"bad-x", "-tracking-uri $URI -x steps", "", 2, -1},
		{"both-experiments", "-tracking-uri $URI -experiment iris -experiment-id 1", "", 2, -1},
		{"attach-and-experiment", "-tracking-uri $URI -experiment iris -attach $RUN", "", 2, -1},
		{"missing-value", "-tracking-uri $URI -experiment", "", 2, -1},
		{"extra-argument", "-tracking-uri $URI iris", "", 2, -1},
		{"bad-uri", "-tracking-uri ftp://host/db", "", 2, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tracking.EnvTrackingURI, expand(tt.env))
			var out bytes.Buffer
			err := run(context.Background(), strings.Fields(expand(tt.args)), &out, &out)
			code := command.Exit(err, &out)
			if code != tt.code {
				t.Errorf("exit %d, want %d; output:\n%s", code, tt.code, out.String())
			}
			got := strings.NewReplacer(newest, "$RUN", dir, "$TMP").Replace(out.String())
			golden.Check(t, tt.name, got, *update)
			if tt.runs < 0 {
				return
			}
			page, err := os.ReadFile(filepath.Join(dir, tt.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(page, []byte(`class="run-toggle"`)); n != tt.runs {
				t.Errorf("page lists %d runs, want %d", n, tt.runs)
			}
		})
	}

	// -attach put the page into the run's artifacts.
	ctx := context.Background()
	c, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Run(ctx, newest)
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.ListArtifacts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "attach.html"))
	if len(files) != 1 || files[0].Path != report.ArtifactName || files[0].Size != int64(len(want)) {
		t.Errorf("artifacts of the attached run: %+v, want %s of %d bytes", files, report.ArtifactName, len(want))
	}
}

// TestStdout writes the page itself to standard output with -o -.
func TestStdout(t *testing.T) {
	uri, _ := record(t, t.TempDir())
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"-tracking-uri", uri, "-experiment", "iris", "-o", "-"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("<!DOCTYPE html>")) || !bytes.Contains(out.Bytes(), []byte("Metrics of experiment iris")) || errs.Len() != 0 {
		t.Errorf("stdout is not the page (%d bytes, stderr %q)", out.Len(), errs.String())
	}
}

// TestEmptyExperimentName passes an empty value, which a table of
// space-separated arguments cannot.
func TestEmptyExperimentName(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-experiment", ""}, &out, &out)
	if code := command.Exit(err, &out); code != 2 || out.String() != "report: -experiment must not be empty\n" {
		t.Errorf("exit %d, output %q; want 2 and the flag named", code, out.String())
	}
}
