package experiments

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// TestSweepRunsFinishedOnlyWhole: a sweep whose trainings fail after
// training (here each one's -report cannot be written) leaves every run
// FAILED with its error, not FINISHED, and fails itself.
func TestSweepRunsFinishedOnlyWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping a sweep in -short mode")
	}
	tmp := t.TempDir()
	train := built(t, "./cmd/train")
	sweep := built(t, "./experiments/sweep")
	uri := "sqlite:///" + filepath.Join(tmp, "mlflow.db")
	cmd := exec.Command(sweep, "-train", train, "-tracking-uri", uri, "-sizes", "0.3,0.2", "--",
		"-trees", "5", "-metric", "custom=1", "-report", filepath.Join(tmp, "missing", "chart.html"))
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d (%v), want 1\n%s", code, err, out)
	}
	c := openStore(t, uri)
	runs := runsOf(t, c, "test_size_sweep")
	if len(runs) != 2 {
		t.Fatalf("runs %v, want 2", statuses(runs))
	}
	for _, r := range runs {
		if r.Info.Status != store.StatusFailed {
			t.Errorf("run %s is %s, want FAILED", r.Info.RunName, r.Info.Status)
		}
		if msg := errorMessage(t, c, r); !strings.Contains(msg, "-report") {
			t.Errorf("run %s records the error %q, want the -report failure", r.Info.RunName, msg)
		}
		if _, ok := r.Metric("custom"); !ok {
			t.Errorf("run %s lacks the -metric value recorded before the failure", r.Info.RunName)
		}
	}
}

func openStore(t *testing.T, uri string) *tracking.Client {
	t.Helper()
	c, err := tracking.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func runsOf(t *testing.T, c *tracking.Client, experiment string) []*store.Run {
	t.Helper()
	exp, err := c.Store().GetExperimentByName(context.Background(), experiment)
	if err != nil {
		return nil
	}
	runs, err := c.SearchRuns(context.Background(), exp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func statuses(runs []*store.Run) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.Info.RunName+":"+string(r.Info.Status))
	}
	return out
}

func errorMessage(t *testing.T, c *tracking.Client, r *store.Run) string {
	t.Helper()
	repo, err := c.Store().Artifacts(context.Background(), r.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := repo.Open(context.Background(), tracking.ErrorArtifact)
	if err != nil {
		return err.Error()
	}
	defer rc.Close()
	var b bytes.Buffer
	b.ReadFrom(rc)
	return b.String()
}
