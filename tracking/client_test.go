package tracking

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/internal/searchtest"
	"github.com/grove-ml/grove/tracking/store"
)

func newTestClient(t *testing.T) (*Client, *memStore) {
	t.Helper()
	m := newMemStore()
	c := NewClient(m, "mem")
	c.now = func() time.Time { return time.UnixMilli(1_800_000_000_000) }
	return c, m
}

func startTestRun(t *testing.T, c *Client, opts RunOptions) *Run {
	t.Helper()
	ctx := context.Background()
	exp, err := c.GetOrCreateExperiment(ctx, "exp")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRun(ctx, exp.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGetOrCreateExperiment(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	a, err := c.GetOrCreateExperiment(ctx, "forest")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.GetOrCreateExperiment(ctx, "forest")
	if err != nil || b.ID != a.ID {
		t.Fatalf("second call = %v, %v; want the same experiment %s", b, err, a.ID)
	}
	m.createRace = true
	r, err := c.GetOrCreateExperiment(ctx, "raced")
	if err != nil || r.Name != "raced" {
		t.Fatalf("after a lost creation race: %v, %v; want the experiment the other process made", r, err)
	}
	if _, err := c.GetOrCreateExperiment(ctx, ""); !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("empty name: error %v, want INVALID_PARAMETER_VALUE", err)
	}
}

func TestStartRunTags(t *testing.T) {
	c, _ := newTestClient(t)
	tests := []struct {
		name string
		opts RunOptions
		want map[string]string
	}{
		{"defaults", RunOptions{User: "ada"}, map[string]string{
			TagUser: "ada", TagSourceType: "LOCAL", TagSourceName: filepath.Base(os.Args[0]),
		}},
		{"as told", RunOptions{Name: "rf-1", User: "bob", SourceName: "cmd/train/main.go", SourceType: "JOB", GitCommit: strings.Repeat("a", 40), Tags: map[string]string{"team": "grove"}},
			map[string]string{TagRunName: "rf-1", TagUser: "bob", TagSourceName: "cmd/train/main.go", TagSourceType: "JOB", TagGitCommit: strings.Repeat("a", 40), "team": "grove"}},
		{"tags win", RunOptions{User: "x", Tags: map[string]string{TagSourceType: "NOTEBOOK"}}, map[string]string{TagSourceType: "NOTEBOOK"}},
	}
	nameRE := regexp.MustCompile(`^[a-z]+-[a-z]+-\d{1,3}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startTestRun(t, c, tt.opts)
			got, err := c.GetRun(context.Background(), r.ID())
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if g, _ := got.Tag(k); g != v {
					t.Errorf("tag %s = %q, want %q", k, g, v)
				}
			}
			name, _ := got.Tag(TagRunName)
			if name != r.Name() || name == "" {
				t.Errorf("mlflow.runName %q, run name %q: want the same, not empty", name, r.Name())
			}
			if tt.opts.Name == "" && !nameRE.MatchString(name) {
				t.Errorf("generated name %q is not adjective-noun-number", name)
			}
			if _, ok := got.Tag(TagGitCommit); ok != (tt.opts.GitCommit != "") {
				t.Errorf("git commit tag present = %v with GitCommit %q", ok, tt.opts.GitCommit)
			}
			if got.Info.Status != store.StatusRunning || got.Info.StartTime != 1_800_000_000_000 {
				t.Errorf("run status %s start %d, want RUNNING at the client's clock", got.Info.Status, got.Info.StartTime)
			}
		})
	}
	if _, err := c.StartRun(context.Background(), "", RunOptions{}); err == nil {
		t.Error("StartRun without an experiment id succeeded")
	}
	if _, err := c.StartRun(context.Background(), "0", RunOptions{Tags: map[string]string{"bad key!": "v"}}); !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("StartRun with a bad tag key: error %v, want INVALID_PARAMETER_VALUE", err)
	}
}

func TestLogBatchSplitsAndValidatesFirst(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	var ms []store.Metric
	for i := 0; i < 2500; i++ {
		ms = append(ms, store.Metric{Key: "loss", Value: 1 / float64(i+1), Step: int64(i)})
	}
	var ps []store.Param
	for i := 0; i < 150; i++ {
		ps = append(ps, store.Param{Key: fmt.Sprintf("p%03d", i), Value: fmt.Sprint(i)})
	}
	ts := []store.Tag{{Key: "a", Value: "1"}}
	m.batches = nil
	if err := c.LogBatch(ctx, r.ID(), ms, ps, ts); err != nil {
		t.Fatal(err)
	}
	if len(m.batches) != 3 { // 100p+1t+899m, 50p+950m, 651m
		t.Errorf("%d requests (%v), want 3", len(m.batches), m.batches)
	}
	h, err := c.MetricHistory(ctx, r.ID(), "loss")
	if err != nil || len(h) != 2500 {
		t.Fatalf("history: %d points, %v; want 2500", len(h), err)
	}
	if h[0].Timestamp != 1_800_000_000_000 {
		t.Errorf("zero timestamp became %d, want the client's clock", h[0].Timestamp)
	}
	got, _ := c.GetRun(ctx, r.ID())
	if len(got.Data.Params) != 150 {
		t.Errorf("%d params stored, want 150", len(got.Data.Params))
	}

	// One bad item anywhere: nothing is sent.
	m.batches = nil
	bad := append(append([]store.Metric(nil), ms[:5]...), store.Metric{Key: "bad@key", Value: 1})
	err = c.LogBatch(ctx, r.ID(), bad, nil, nil)
	if !errors.Is(err, store.ErrInvalidParameter) || !strings.Contains(err.Error(), "metrics[5]") {
		t.Errorf("bad batch: error %v, want INVALID_PARAMETER_VALUE naming metrics[5]", err)
	}
	if len(m.batches) != 0 {
		t.Errorf("bad batch sent %d requests, want none", len(m.batches))
	}
}

func TestRunLogging(t *testing.T) {
	ctx := context.Background()
	c, _ := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	steps := []error{
		r.LogParam(ctx, "n_estimators", "100"),
		r.LogParam(ctx, "n_estimators", "100"),
		r.LogParams(ctx, map[string]string{"max_depth": "None", "criterion": "gini"}),
		r.LogMetric(ctx, "loss", 0.5, 0),
		r.LogMetric(ctx, "loss", 0.25, 1),
		r.LogMetrics(ctx, map[string]float64{"acc": 0.9, "nan": math.NaN()}, 2),
		r.SetTag(ctx, "phase", "a"),
		r.SetTags(ctx, map[string]string{"phase": "b"}),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := r.LogParam(ctx, "n_estimators", "200"); err == nil {
		t.Error("changing a param succeeded")
	}
	got, _ := c.GetRun(ctx, r.ID())
	if v, _ := got.Param("max_depth"); v != "None" {
		t.Errorf("max_depth = %q", v)
	}
	if v, _ := got.Tag("phase"); v != "b" {
		t.Errorf("phase tag = %q, want b", v)
	}
	if m, _ := got.Metric("nan"); !math.IsNaN(m.Value) || m.Step != 2 {
		t.Errorf("nan metric = %+v", m)
	}
	h, _ := c.MetricHistory(ctx, r.ID(), "loss")
	if len(h) != 2 || h[1].Value != 0.25 {
		t.Errorf("loss history %+v", h)
	}
	if err := r.End(ctx, store.StatusRunning); err == nil {
		t.Error("End(RUNNING) succeeded")
	}
	if err := r.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
	if r.Info().Status != store.StatusFinished || r.Info().EndTime == 0 {
		t.Errorf("after End: %+v", r.Info())
	}
}

func TestLogMetricsCustom(t *testing.T) {
	ctx := context.Background()
	c, _ := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	if err := r.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
	if err := c.LogMetrics(ctx, r.ID(), map[string]float64{"accuracy_on_datasetXYZ": 0.98}); err != nil {
		t.Fatalf("custom metric on a finished run: %v", err)
	}
	got, _ := c.GetRun(ctx, r.ID())
	if m, ok := got.Metric("accuracy_on_datasetXYZ"); !ok || m.Value != 0.98 || m.Step != 0 {
		t.Errorf("custom metric = %+v, %v", m, ok)
	}
	tests := []struct {
		name   string
		runID  string
		values map[string]float64
		want   error
	}{
		{"bad name", r.ID(), map[string]float64{"acc on xyz!": 1}, store.ErrInvalidParameter},
		{"no metrics", r.ID(), nil, store.ErrInvalidParameter},
		{"no such run", "0123456789abcdef0123456789abcdef", map[string]float64{"a": 1}, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.LogMetrics(ctx, tt.runID, tt.values); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSearchRunsReadsEveryPage(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	m.PageSize = 3
	exp, _ := c.GetOrCreateExperiment(ctx, "many")
	for i := 0; i < 10; i++ {
		if _, err := c.StartRun(ctx, exp.ID, RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := c.SearchRuns(ctx, exp.ID)
	if err != nil || len(runs) != 10 {
		t.Fatalf("SearchRuns: %d runs, %v; want 10", len(runs), err)
	}
	if _, err := c.SearchRuns(ctx); err == nil {
		t.Error("SearchRuns without experiments succeeded")
	}
}

// TestSearchRunsWith filters and orders runs across pages of a store that
// hands out three runs a page, and stops at MaxResults.
func TestSearchRunsWith(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	m.PageSize = 3
	exp, _ := c.GetOrCreateExperiment(ctx, "sweep")
	for i := range 10 {
		r, err := c.StartRun(ctx, exp.ID, RunOptions{Name: fmt.Sprintf("run-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LogParams(ctx, map[string]string{"criterion": []string{"gini", "entropy"}[i%2]}); err != nil {
			t.Fatal(err)
		}
		if err := r.LogMetric(ctx, "acc", float64((i*7)%10)/10, 0); err != nil {
			t.Fatal(err)
		}
	}
	names := func(runs []*store.Run) []string {
		var out []string
		for _, r := range runs {
			out = append(out, r.Info.RunName)
		}
		return out
	}
	tests := []struct {
		opts SearchRunsOptions
		want []string
	}{
		// acc of run i is (7i mod 10)/10: 0, .7, .4, .1, .8, .5, .2, .9, .6, .3
		{SearchRunsOptions{Filter: "params.criterion = 'gini'", OrderBy: []string{"metrics.acc DESC"}}, []string{"run-4", "run-8", "run-2", "run-6", "run-0"}},
		{SearchRunsOptions{Filter: "metrics.acc >= 0.5", OrderBy: []string{"metrics.acc"}}, []string{"run-5", "run-8", "run-1", "run-4", "run-7"}},
		{SearchRunsOptions{OrderBy: []string{"metrics.acc DESC"}, MaxResults: 4}, []string{"run-7", "run-4", "run-1", "run-8"}},
		{SearchRunsOptions{Filter: "metrics.acc > 1"}, nil},
	}
	for _, tt := range tests {
		runs, err := c.SearchRunsWith(ctx, tt.opts, exp.ID)
		if err != nil {
			t.Fatalf("%+v: %v", tt.opts, err)
		}
		if got := names(runs); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: got %q, want %q", tt.opts, got, tt.want)
		}
	}
	for _, opts := range []SearchRunsOptions{{Filter: "metrics.acc > 0.5 or params.criterion = 'gini'"}, {OrderBy: []string{"metrics.acc sideways"}}, {MaxResults: -1}} {
		if _, err := c.SearchRunsWith(ctx, opts, exp.ID); !errors.Is(err, store.ErrInvalidParameter) {
			t.Errorf("%+v: error %v, want INVALID_PARAMETER_VALUE", opts, err)
		}
	}
}

// TestSearchRunsWithFixture asks every query of MLflow's search fixture
// through the library, of a copy of the database MLflow wrote, opened as
// a user opens it.
func TestSearchRunsWithFixture(t *testing.T) {
	ctx := context.Background()
	f := searchtest.Load(t)
	c, err := Open(ctx, "sqlite:///"+filepath.ToSlash(searchtest.CopyDB(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f.Check(t, func(ctx context.Context, q store.RunQuery) ([]*store.Run, error) {
		return c.SearchRunsWith(ctx, SearchRunsOptions{Filter: q.Filter, OrderBy: q.OrderBy, ViewType: q.ViewType}, q.ExperimentIDs...)
	})
}

func TestArtifacts(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "train.go"), []byte("package main\n"), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "charts", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "charts", "a.html"), []byte("<p>"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "charts", "sub", "b.txt"), []byte("b"), 0o644))
	must(r.LogArtifactFile(ctx, filepath.Join(dir, "train.go"), "code"))
	must(r.LogArtifactDir(ctx, filepath.Join(dir, "charts"), "charts"))
	must(r.LogArtifactBytes(ctx, "notes/n.txt", []byte("hello")))
	list, err := r.ListArtifacts(ctx, "")
	must(err)
	var paths []string
	for _, f := range list {
		paths = append(paths, fmt.Sprintf("%s:%v", f.Path, f.IsDir))
	}
	if got := strings.Join(paths, " "); got != "charts:true code:true notes:true" {
		t.Errorf("root listing %q", got)
	}
	sub, err := r.ListArtifacts(ctx, "charts/sub")
	must(err)
	if len(sub) != 1 || sub[0].Path != "charts/sub/b.txt" || sub[0].Size != 1 {
		t.Errorf("charts/sub listing %+v", sub)
	}
	repo, _ := m.Artifacts(ctx, r.ArtifactURI())
	rc, err := repo.Open(ctx, "code/train.go")
	must(err)
	b, _ := io.ReadAll(rc)
	if string(b) != "package main\n" {
		t.Errorf("code/train.go = %q", b)
	}
	for _, p := range []string{"", "/abs", "../x", "a/../b", "a//b", `a\b`, "a/./b"} {
		t.Run("bad path "+p, func(t *testing.T) {
			if err := r.LogArtifactBytes(ctx, p, nil); !errors.Is(err, store.ErrInvalidParameter) {
				t.Errorf("artifact path %q: error %v, want INVALID_PARAMETER_VALUE", p, err)
			}
		})
	}
	if err := r.LogArtifactDir(ctx, filepath.Join(dir, "train.go"), ""); err == nil {
		t.Error("LogArtifactDir of a file succeeded")
	}
}
