package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// serve starts the server over a fresh SQLite store in dir on a real
// loopback port and returns its URL and the store.
func serve(t *testing.T, dir string) (string, *sqlstore.Store) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: filepath.Join(dir, "mlruns")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(dir, "mlruns")}))
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return hs.URL, st
}

// train records one autolog run of a small forest on Iris through uri.
func train(t *testing.T, uri string) string {
	t.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tr, te, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.25, Seed: 3, Stratify: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := autolog.Fit(ctx, c, forest.New(forest.Config{Trees: 5, Seed: 7}), tr, te, autolog.Options{
		Experiment: "compare", RunName: "forest", Params: map[string]string{"test_size": "0.25"},
		SourceFile: "train.go",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.RunID
}

// readBack is everything a client reads about a run, without what differs
// between two recordings of it: ids, times and paths.
func readBack(t *testing.T, uri, runID string) map[string]any {
	t.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{"status": run.Info.Status, "name": run.Info.RunName, "user": run.Info.UserID}
	params, tags, metrics := map[string]string{}, map[string]string{}, map[string]any{}
	for _, p := range run.Data.Params {
		params[p.Key] = p.Value
	}
	for _, tg := range run.Data.Tags {
		tags[tg.Key] = strings.ReplaceAll(tg.Value, runID, "RUN")
	}
	for _, m := range run.Data.Metrics {
		h, err := c.MetricHistory(ctx, runID, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		var pts []string
		for _, p := range h {
			pts = append(pts, fmt.Sprintf("%d:%v:%s", p.Step, p.Value, p.DatasetName))
		}
		metrics[m.Key] = pts
	}
	out["params"], out["tags"], out["metrics"] = params, tags, metrics
	var datasets []string
	for _, d := range run.Inputs.Datasets {
		datasets = append(datasets, d.Dataset.Name+" "+d.Dataset.Digest+" "+fmt.Sprint(d.Tags))
	}
	sort.Strings(datasets)
	out["datasets"] = datasets
	out["outputs"] = len(run.Outputs.Models)

	files := func(uri string) map[string]string {
		repo, err := c.Store().Artifacts(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		list, err := store.AllFiles(ctx, repo, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range list {
			rc, err := repo.Open(ctx, f.Path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			// Files that name the run, model or their folders differ in
			// those names only.
			if strings.Contains(string(b), runID) || f.Path == "MLmodel" {
				got[f.Path] = "names ids"
			} else {
				got[f.Path] = fmt.Sprintf("%d bytes %x", len(b), b[:min(len(b), 16)])
			}
		}
		return got
	}
	out["artifacts"] = files(run.Info.ArtifactURI)
	if len(run.Outputs.Models) > 0 {
		m, err := c.Store().GetLoggedModel(ctx, run.Outputs.Models[0].ModelID)
		if err != nil {
			t.Fatal(err)
		}
		mparams := map[string]string{}
		for _, p := range m.Params {
			mparams[p.Key] = p.Value
		}
		var mmetrics []string
		for _, mt := range m.Metrics {
			mmetrics = append(mmetrics, fmt.Sprintf("%s=%v", mt.Key, mt.Value))
		}
		sort.Strings(mmetrics)
		out["model"] = map[string]any{"name": m.Name, "status": m.Status, "type": m.ModelType, "params": mparams,
			"metrics": mmetrics, "files": files(m.ArtifactLocation)}
	}
	return out
}

// TestClientThroughServer trains with autolog through the server and
// directly into SQLite, and finds the same run either way.
func TestClientThroughServer(t *testing.T) {
	directDir, servedDir := t.TempDir(), t.TempDir()
	directURI := "sqlite:///" + filepath.Join(directDir, "mlflow.db")
	direct := readBack(t, directURI, train(t, directURI))
	url, _ := serve(t, servedDir)
	served := readBack(t, url, train(t, url))
	if !reflect.DeepEqual(direct, served) {
		for k := range direct {
			if !reflect.DeepEqual(direct[k], served[k]) {
				t.Errorf("%s differs:\n direct: %v\n served: %v", k, direct[k], served[k])
			}
		}
	}
}

// TestConcurrentClients has several clients log to one server at once:
// nothing is lost, and the race detector watches the server's handlers.
func TestConcurrentClients(t *testing.T) {
	url, st := serve(t, t.TempDir())
	ctx := context.Background()
	const clients, points = 6, 40
	c0, err := tracking.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c0.Close()
	exp, err := c0.GetOrCreateExperiment(ctx, "busy")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := make([]string, clients)
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := tracking.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			r, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: fmt.Sprintf("worker-%d", i)})
			if err != nil {
				errs <- err
				return
			}
			ids[i] = r.ID()
			for step := range points {
				if err := r.LogMetrics(ctx, map[string]float64{"loss": float64(step), "acc": float64(i)}, int64(step)); err != nil {
					errs <- err
					return
				}
				if step%10 == 0 {
					if _, err := c.SearchRuns(ctx, exp.ID); err != nil {
						errs <- err
						return
					}
				}
			}
			if err := r.LogParams(ctx, map[string]string{"worker": fmt.Sprint(i)}); err != nil {
				errs <- err
				return
			}
			errs <- r.End(ctx, store.StatusFinished)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i, id := range ids {
		h, err := st.GetMetricHistory(ctx, id, "loss")
		if err != nil || len(h) != points {
			t.Errorf("worker %d: %d loss points, %v", i, len(h), err)
		}
		run, err := st.GetRun(ctx, id)
		if err != nil || run.Info.Status != store.StatusFinished {
			t.Errorf("worker %d: %v %v", i, run, err)
		}
	}
	runs, err := c0.SearchRuns(ctx, exp.ID)
	if err != nil || len(runs) != clients {
		t.Errorf("search: %d runs, %v", len(runs), err)
	}
}
