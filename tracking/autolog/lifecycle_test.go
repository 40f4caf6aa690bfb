package autolog_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/store"
)

// TestFailureEndsRunWithError: whoever started the run, Fit itself or the
// caller (StartRun, then Options.Run), a failing Fit ends it FAILED or
// KILLED with the error recorded, never leaving it RUNNING for a caller to
// end FINISHED with half a record.
func TestFailureEndsRunWithError(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name       string
		fit        func(ctx context.Context, cancel context.CancelFunc) error // the model's Fit
		onModel    func(ctx context.Context, cancel context.CancelFunc) error // the store's logged model
		noTest     bool                                                       // hand Fit an empty test set
		panics     bool
		wantStatus store.RunStatus
		wantText   string // in error_message.txt
	}{
		{name: "model error", fit: func(context.Context, context.CancelFunc) error { return errBoom },
			wantStatus: store.StatusFailed, wantText: "training failed in run"},
		{name: "panic", fit: func(context.Context, context.CancelFunc) error { panic(errBoom) }, panics: true,
			wantStatus: store.StatusFailed, wantText: "panic: boom"},
		{name: "ctrl-c", fit: func(ctx context.Context, cancel context.CancelFunc) error { cancel(); return ctx.Err() },
			wantStatus: store.StatusKilled, wantText: "context canceled"},
		{name: "store gone after training", onModel: func(context.Context, context.CancelFunc) error { return errServerGone },
			wantStatus: store.StatusFailed, wantText: "the trained model is saved at"},
		{name: "bad input", noTest: true, wantStatus: store.StatusFailed, wantText: "test set is empty"},
	}
	for _, tt := range tests {
		for _, caller := range []bool{false, true} {
			if tt.noTest && !caller {
				continue // refused before Fit starts a run of its own
			}
			name := tt.name + "/own run"
			if caller {
				name = tt.name + "/caller's run"
			}
			t.Run(name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				real := openClient(t)
				flaky := &flakyStore{Store: real.Store()}
				if tt.onModel != nil {
					flaky.onModel = func(ctx context.Context) error { return tt.onModel(ctx, cancel) }
				}
				c := tracking.NewClient(flaky, "flaky")
				train, test := irisSplit(t)
				if tt.noTest {
					test.X = nil
				}
				m := &misbehaving{fit: func(context.Context) error { return nil }}
				if tt.fit != nil {
					m.fit = func(ctx context.Context) error { return tt.fit(ctx, cancel) }
				}
				opts := autolog.Options{Experiment: "lifecycle", FallbackDir: t.TempDir()}
				if caller {
					run, err := autolog.StartRun(ctx, c, opts)
					if err != nil {
						t.Fatal(err)
					}
					opts.Run = run
				}
				var err error
				panicked := func() (p any) {
					defer func() { p = recover() }()
					_, err = autolog.Fit(ctx, c, m, train, test, opts)
					return nil
				}()
				if tt.panics != (panicked != nil) {
					t.Fatalf("panicked = %v, want %v", panicked, tt.panics)
				}
				if !tt.panics && err == nil {
					t.Fatal("Fit succeeded")
				}
				runs, serr := real.SearchRuns(context.Background(), mustExperiment(t, real, "lifecycle"))
				if serr != nil || len(runs) != 1 {
					t.Fatalf("runs: %v, %v", runs, serr)
				}
				r := runs[0]
				if r.Info.Status != tt.wantStatus {
					t.Errorf("run status %s, want %s", r.Info.Status, tt.wantStatus)
				}
				if got := errorArtifact(t, real, r); !strings.Contains(got, tt.wantText) {
					t.Errorf("%s holds %q, want the error (%q)", tracking.ErrorArtifact, got, tt.wantText)
				} else if err != nil && got != err.Error()+"\n" && !tt.panics {
					t.Errorf("%s holds %q, Fit returned %q", tracking.ErrorArtifact, got, err)
				}
			})
		}
	}
}

// TestStartRunThenFit: a run started with StartRun carries the caller's
// source tags as Fit's own runs do, and Fit leaves it RUNNING for the
// caller to record more.
func TestStartRunThenFit(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	run, err := autolog.StartRun(ctx, c, autolog.Options{Experiment: "mine", RunName: "outer", Tags: map[string]string{"team": "grove"}})
	if err != nil {
		t.Fatal(err)
	}
	train, test := irisSplit(t)
	res, err := autolog.Fit(ctx, c, &centroid{}, train, test, autolog.Options{Run: run})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRun(ctx, run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if res.RunID != run.ID() || r.Info.Status != store.StatusRunning || r.Info.RunName != "outer" {
		t.Errorf("run %s %q status %s: Fit must record into the caller's run and leave it running", r.Info.RunID, r.Info.RunName, r.Info.Status)
	}
	if src, _ := r.Tag(tracking.TagSourceName); !strings.HasSuffix(src, "lifecycle_test.go") {
		t.Errorf("mlflow.source.name %q, want this file", src)
	}
	if v, _ := r.Tag("team"); v != "grove" {
		t.Errorf("tags %v lack the caller's", r.Data.Tags)
	}
	if res.SourceFile == "" || !strings.HasSuffix(res.SourceFile, "lifecycle_test.go") {
		t.Errorf("source file logged: %q", res.SourceFile)
	}
}

func errorArtifact(t *testing.T, c *tracking.Client, r *store.Run) string {
	t.Helper()
	repo, err := c.Store().Artifacts(context.Background(), r.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := repo.Open(context.Background(), tracking.ErrorArtifact)
	if err != nil {
		t.Errorf("no %s: %v", tracking.ErrorArtifact, err)
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}
