package autolog_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/mlmodel"
	"github.com/grove-ml/grove/tracking/store"
)

func TestFitFailures(t *testing.T) {
	train, test := irisSplit(t)
	errBoom := errors.New("boom")
	tests := []struct {
		name       string
		fit        func(ctx context.Context) error
		cancel     bool // cancel the context from inside Fit
		panics     bool
		wantStatus store.RunStatus
		wantErr    error
	}{
		{name: "error", fit: func(context.Context) error { return errBoom }, wantStatus: store.StatusFailed, wantErr: errBoom},
		{name: "panic", fit: func(context.Context) error { panic(errBoom) }, panics: true, wantStatus: store.StatusFailed},
		{name: "ctrl-c", cancel: true, wantStatus: store.StatusKilled, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openClient(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			fit := tt.fit
			if tt.cancel {
				fit = func(ctx context.Context) error {
					cancel()
					<-ctx.Done()
					return ctx.Err()
				}
			}
			m := &misbehaving{fit: fit}
			var res *autolog.Result
			var err error
			panicked := func() (p any) {
				defer func() { p = recover() }()
				res, err = autolog.Fit(ctx, c, m, train, test, autolog.Options{Experiment: "fail"})
				return nil
			}()
			if tt.panics != (panicked != nil) {
				t.Fatalf("panicked = %v, want %v", panicked, tt.panics)
			}
			if tt.panics && panicked != errBoom {
				t.Errorf("panic value %v, want the model's own", panicked)
			}
			if !tt.panics && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			runs, serr := c.SearchRuns(context.Background(), mustExperiment(t, c, "fail"))
			if serr != nil || len(runs) != 1 {
				t.Fatalf("runs: %v, %v", runs, serr)
			}
			if got := runs[0].Info.Status; got != tt.wantStatus {
				t.Errorf("run status %s, want %s", got, tt.wantStatus)
			}
			if v, _ := runs[0].Param("metric"); v != "euclidean" {
				t.Errorf("params not logged before training: %v", runs[0].Data.Params)
			}
			if res != nil && res.RunID != runs[0].Info.RunID {
				t.Errorf("result run %s, stored run %s", res.RunID, runs[0].Info.RunID)
			}
		})
	}
}

func mustExperiment(t *testing.T, c *tracking.Client, name string) string {
	t.Helper()
	exp, err := c.Store().GetExperimentByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return exp.ID
}

func TestFitKeepsModelWhenTrackingFails(t *testing.T) {
	tests := []struct {
		name       string
		onModel    func(ctx context.Context, cancel context.CancelFunc) error
		wantErr    error
		wantStatus store.RunStatus
	}{
		{"server gone", func(context.Context, context.CancelFunc) error { return errServerGone }, errServerGone, store.StatusFailed},
		{"ctrl-c while recording", func(ctx context.Context, cancel context.CancelFunc) error {
			cancel()
			return ctx.Err()
		}, context.Canceled, store.StatusKilled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			real := openClient(t)
			flaky := &flakyStore{Store: real.Store(), onModel: func(ctx context.Context) error { return tt.onModel(ctx, cancel) }}
			c := tracking.NewClient(flaky, "flaky")
			train, test := irisSplit(t)
			dir := t.TempDir()
			model := &centroid{}
			res, err := autolog.Fit(ctx, c, model, train, test, autolog.Options{FallbackDir: dir})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if res == nil || res.LocalModelPath == "" || !strings.Contains(err.Error(), res.LocalModelPath) {
				t.Fatalf("error %q does not say where the model is (result %+v)", err, res)
			}
			if filepath.Dir(res.LocalModelPath) != dir {
				t.Errorf("model saved at %s, want it in %s", res.LocalModelPath, dir)
			}
			// The folder holds what the logged model would have: the model
			// file and an MLmodel naming the classes, the run and the format.
			text, err := os.ReadFile(filepath.Join(res.LocalModelPath, "MLmodel"))
			if err != nil {
				t.Fatal(err)
			}
			mm, err := mlmodel.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			fl := mm.Flavors[autolog.Flavor]
			var classes []string
			if err := json.Unmarshal([]byte(fmt.Sprint(fl["class_names"])), &classes); err != nil || !slices.Equal(classes, train.ClassNames) {
				t.Errorf("saved MLmodel has class_names %v, want %v", fl["class_names"], train.ClassNames)
			}
			if fl["model_file"] != autolog.ModelFile || fl["format"] != "test-centroid" || mm.RunID != res.RunID || mm.Signature == nil {
				t.Errorf("saved MLmodel %+v lacks the file, format, run or signature", mm)
			}
			f, err := os.Open(filepath.Join(res.LocalModelPath, fmt.Sprint(fl["model_file"])))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			loaded, err := loadCentroid(f)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := model.Predict(test.X)
			b, _ := loaded.Predict(test.X)
			if !slices.Equal(a, b) {
				t.Error("the saved model predicts differently")
			}
			r, err := real.GetRun(context.Background(), res.RunID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Info.Status != tt.wantStatus {
				t.Errorf("run status %s, want %s", r.Info.Status, tt.wantStatus)
			}
		})
	}
}

func TestFitIntoCallerRun(t *testing.T) {
	ctx := context.Background()
	c := openClient(t)
	exp, _ := c.GetOrCreateExperiment(ctx, "mine")
	run, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "outer"})
	if err != nil {
		t.Fatal(err)
	}
	train, test := irisSplit(t)
	res, err := autolog.Fit(ctx, c, &centroid{}, train, nil, autolog.Options{Run: run, Tags: map[string]string{"team": "grove"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = test
	r, _ := c.GetRun(ctx, run.ID())
	if res.RunID != run.ID() || r.Info.Status != store.StatusRunning {
		t.Errorf("run %s status %s: Fit must log into the caller's run and leave it running", r.Info.RunID, r.Info.Status)
	}
	if v, _ := r.Tag("team"); v != "grove" {
		t.Errorf("caller's tags not set: %v", r.Data.Tags)
	}
	for k := range res.Metrics {
		if strings.HasPrefix(k, "test_") {
			t.Errorf("metric %s logged without a test set", k)
		}
	}
	if len(res.Metrics) != 7 {
		t.Errorf("%d metrics, want the 7 training ones", len(res.Metrics))
	}
}

func TestFitRefusesBadInput(t *testing.T) {
	c := openClient(t)
	train, test := irisSplit(t)
	fewer := *test
	fewer.FeatureNames = fewer.FeatureNames[:3]
	renamed := *test
	renamed.ClassNames = []string{"a", "b", "c"}
	empty := &datasets.Dataset{}
	tests := []struct {
		name        string
		c           *tracking.Client
		model       *centroid
		train, test *datasets.Dataset
		errHas      string
	}{
		{"no client", nil, &centroid{}, train, test, "no tracking client"},
		{"no model", c, nil, train, test, "no model"},
		{"no training set", c, &centroid{}, nil, test, "training set is empty"},
		{"empty training set", c, &centroid{}, empty, test, "training set is empty"},
		{"empty test set", c, &centroid{}, train, empty, "test set is empty"},
		{"feature names", c, &centroid{}, train, &fewer, "4 columns but 3 feature names"},
		{"class names", c, &centroid{}, train, &renamed, `class 0 is "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.model == nil {
				_, err = autolog.Fit(context.Background(), tt.c, nil, tt.train, tt.test, autolog.Options{})
			} else {
				_, err = autolog.Fit(context.Background(), tt.c, tt.model, tt.train, tt.test, autolog.Options{})
			}
			if err == nil || !strings.HasPrefix(err.Error(), "autolog: ") || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %v, want one mentioning %q", err, tt.errHas)
			}
		})
	}
}
