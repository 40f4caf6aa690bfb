package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// TestFinishedMeansComplete: the run is marked FINISHED only once the
// -metric values and metrics_report.html are recorded, and a failure after
// training ends it FAILED with the error recorded, as the command fails.
func TestFinishedMeansComplete(t *testing.T) {
	tests := []struct {
		name       string
		report     func(tmp string) string // -report; its folder may be missing
		wantCode   int
		wantStatus store.RunStatus
		wantError  string // in error_message.txt; "" for none
	}{
		{"complete", func(tmp string) string { return filepath.Join(tmp, "chart.html") }, 0, store.StatusFinished, ""},
		{"report unwritable", func(tmp string) string { return filepath.Join(tmp, "missing", "chart.html") }, 1, store.StatusFailed, "-report: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			uri := "sqlite:///" + filepath.Join(tmp, "mlflow.db")
			code, _, stderr := runCmd(t, "-tracking-uri", uri, "-trees", "10", "-metric", "accuracy_on_new_data=0.98", "-report", tt.report(tmp))
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			c, err := tracking.Open(context.Background(), uri)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			exp, err := c.Store().GetExperimentByName(context.Background(), "random_forest")
			if err != nil {
				t.Fatal(err)
			}
			runs, err := c.SearchRuns(context.Background(), exp.ID)
			if err != nil || len(runs) != 1 {
				t.Fatalf("%d runs (%v), want 1", len(runs), err)
			}
			r := runs[0]
			if r.Info.Status != tt.wantStatus {
				t.Fatalf("run status %s, want %s", r.Info.Status, tt.wantStatus)
			}
			// Everything was recorded before the run ended.
			m, ok := r.Metric("accuracy_on_new_data")
			if !ok || m.Timestamp > r.Info.EndTime {
				t.Errorf("-metric value %+v (present %v) recorded after the run ended at %d", m, ok, r.Info.EndTime)
			}
			root := artifact.LocalPath(r.Info.ArtifactURI)
			st, err := os.Stat(filepath.Join(root, "metrics_report.html"))
			if err != nil {
				t.Errorf("no metrics_report.html: %v", err)
			} else if st.ModTime().UnixMilli() > r.Info.EndTime {
				t.Errorf("metrics_report.html written at %d, after the run ended at %d", st.ModTime().UnixMilli(), r.Info.EndTime)
			}
			b, err := os.ReadFile(filepath.Join(root, tracking.ErrorArtifact))
			switch {
			case tt.wantError == "" && err == nil:
				t.Errorf("a finished run holds %s: %s", tracking.ErrorArtifact, b)
			case tt.wantError != "" && !strings.Contains(string(b), tt.wantError):
				t.Errorf("%s holds %q (%v), want the error %q", tracking.ErrorArtifact, b, err, tt.wantError)
			case tt.wantError != "" && !strings.Contains(stderr, strings.TrimSpace(string(b))):
				t.Errorf("the run records %q, the command said %q", b, stderr)
			}
		})
	}
}
