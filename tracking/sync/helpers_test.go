package sync_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/rest"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

// openSQLite opens a SQLite store in dir, its artifacts in dir/mlruns.
func openSQLite(t testing.TB, dir string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// testServer is grove's tracking server over a SQLite file, on loopback,
// with a switch that makes it drop every connection (down) and a count of
// the requests it answered by path.
type testServer struct {
	URL   string
	back  *sqlstore.Store
	down  atomic.Bool
	busy  atomic.Int64 // requests being handled
	mu    gosync.Mutex
	calls map[string]int
	// before, when set (setBefore), sees every request first; returning
	// false drops it.
	before func(r *http.Request) bool
}

// setBefore sets (or, with nil, removes) the function that sees every
// request first.
func (ts *testServer) setBefore(f func(r *http.Request) bool) {
	ts.mu.Lock()
	ts.before = f
	ts.mu.Unlock()
}

func newServer(t testing.TB) *testServer {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "mlruns")
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{back: st, calls: map[string]int{}}
	api := server.New(server.Config{Store: st, ArtifactRoot: root})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.busy.Add(1)
		defer ts.busy.Add(-1)
		ts.mu.Lock()
		before := ts.before
		ts.mu.Unlock()
		if ts.down.Load() || before != nil && !before(r) {
			drop(w)
			return
		}
		ts.mu.Lock()
		ts.calls[r.URL.Path]++
		ts.mu.Unlock()
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	ts.URL = srv.URL
	return ts
}

// drop closes the connection without an answer, as a server that went away.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	w.WriteHeader(http.StatusServiceUnavailable)
}

// settle waits until the server has answered every request it received
// and no more have come for a while: a request the client gave up on may
// still be on its way. By the time a user reruns an interrupted sync, they
// have all landed.
func (ts *testServer) settle(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for quiet := 0; quiet < 40; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server is still handling requests after 10 s")
		}
		if ts.busy.Load() > 0 {
			quiet = 0
		} else {
			quiet++
		}
	}
}

// count returns how many requests reached path since the last reset.
func (ts *testServer) count(suffix string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := 0
	for p, c := range ts.calls {
		if strings.HasSuffix(p, suffix) {
			n += c
		}
	}
	return n
}

func (ts *testServer) reset() {
	ts.mu.Lock()
	ts.calls = map[string]int{}
	ts.mu.Unlock()
}

// client returns a REST store on the server that fails fast when it is down.
func (ts *testServer) client(t testing.TB) *rest.Store {
	t.Helper()
	c, err := rest.New(ts.URL, rest.Options{MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// recordRuns records n training runs with autolog into experiment exp of
// s, each with a 50-point loss history and one more artifact folder, and
// returns their ids.
func recordRuns(t testing.TB, s store.Store, exp string, n int) []string {
	t.Helper()
	ctx := context.Background()
	c := tracking.NewClient(s, "")
	c.SetLogger(nil)
	train, test, err := datasets.Split(iris.Load(), datasets.SplitOptions{TestSize: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range n {
		run, err := autolog.StartRun(ctx, c, autolog.Options{Experiment: exp, RunName: fmt.Sprintf("run-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := autolog.Fit(ctx, c, forest.New(forest.Config{Trees: 3, Seed: int64(i + 1)}), train, test, autolog.Options{Run: run}); err != nil {
			t.Fatal(err)
		}
		var loss []store.Metric
		for step := range 50 {
			loss = append(loss, store.Metric{Key: "loss", Value: 1 / float64(step+1), Step: int64(step), Timestamp: int64(1_700_000_000_000 + 10*step)})
		}
		if err := run.LogMetricPoints(ctx, loss); err != nil {
			t.Fatal(err)
		}
		if err := run.LogArtifactBytes(ctx, "charts/deep/notes.txt", bytes.Repeat([]byte{byte(i), 0, 255}, 1000+i)); err != nil {
			t.Fatal(err)
		}
		if err := run.End(ctx, store.StatusFinished); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID())
	}
	return ids
}

// copies returns the target's runs of experiment exp, by source run id;
// two copies of one run fail the test.
func copies(t testing.TB, s store.Store, exp string) map[string]*store.Run {
	t.Helper()
	ctx := context.Background()
	out := map[string]*store.Run{}
	e, err := s.GetExperimentByName(ctx, exp)
	if errors.Is(err, store.ErrNotFound) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	runs, err := store.AllRuns(ctx, s, store.RunQuery{ExperimentIDs: []string{e.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		id, _ := r.Tag(gsync.TagSourceRunID)
		if out[id] != nil {
			t.Fatalf("run %s has two copies: %s and %s", id, out[id].Info.RunID, r.Info.RunID)
		}
		out[id] = r
	}
	return out
}

// sameRun fails the test where the copy differs from the source run.
func sameRun(t testing.TB, src store.Store, srcID string, dst store.Store, dstID string) {
	t.Helper()
	ctx := context.Background()
	a, err := src.GetRun(ctx, srcID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dst.GetRun(ctx, dstID)
	if err != nil {
		t.Fatal(err)
	}
	if state, _ := b.Tag(gsync.TagState); state != gsync.StateComplete {
		t.Errorf("copy %s of %s: state %q", dstID, srcID, state)
	}
	ai, bi := a.Info, b.Info
	if ai.RunName != bi.RunName || ai.UserID != bi.UserID || ai.Status != bi.Status || ai.StartTime != bi.StartTime || ai.EndTime != bi.EndTime {
		t.Errorf("run %s: info\n%+v\ncopied as\n%+v", srcID, ai, bi)
	}
	if !slices.Equal(a.Data.Params, b.Data.Params) {
		t.Errorf("run %s: params %v, copied %v", srcID, a.Data.Params, b.Data.Params)
	}
	if got, want := withoutSync(b.Data.Tags), withoutSync(a.Data.Tags); !slices.Equal(got, want) {
		t.Errorf("run %s: tags %v, copied %v", srcID, want, got)
	}
	if len(a.Data.Metrics) != len(b.Data.Metrics) {
		t.Errorf("run %s: %d metrics, copied %d", srcID, len(a.Data.Metrics), len(b.Data.Metrics))
	}
	for _, m := range a.Data.Metrics {
		ha, err := src.GetMetricHistory(ctx, srcID, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		hb, err := dst.GetMetricHistory(ctx, dstID, m.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(ha, hb, samePoint) {
			t.Errorf("run %s: history of %s: %d points, copied %d, or they differ", srcID, m.Key, len(ha), len(hb))
		}
	}
	if fmt.Sprint(a.Inputs.Datasets) != fmt.Sprint(b.Inputs.Datasets) {
		t.Errorf("run %s: inputs %v, copied %v", srcID, a.Inputs.Datasets, b.Inputs.Datasets)
	}
	sameFiles(t, src, ai.ArtifactURI, dst, bi.ArtifactURI)
	if len(a.Outputs.Models) != len(b.Outputs.Models) {
		t.Fatalf("run %s: %d models, copied %d", srcID, len(a.Outputs.Models), len(b.Outputs.Models))
	}
	for i := range a.Outputs.Models {
		ma, err := src.GetLoggedModel(ctx, a.Outputs.Models[i].ModelID)
		if err != nil {
			t.Fatal(err)
		}
		mb, err := dst.GetLoggedModel(ctx, b.Outputs.Models[i].ModelID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Outputs.Models[i].Step != b.Outputs.Models[i].Step || ma.Name != mb.Name || ma.Status != mb.Status || ma.ModelType != mb.ModelType || mb.SourceRunID != dstID {
			t.Errorf("run %s: model %+v, copied %+v", srcID, ma, mb)
		}
		if !slices.Equal(ma.Params, mb.Params) {
			t.Errorf("model %s: params %v, copied %v", ma.ModelID, ma.Params, mb.Params)
		}
		// A model the adopted run logged itself, before its server went
		// away, is matched by name and may not carry the tag.
		_, adopted := a.Tag(gsync.TagContinuesRunID)
		if src, ok := tagOf(mb.Tags, gsync.TagSourceModelID); src != ma.ModelID && (ok || !adopted) {
			t.Errorf("model %s: copy's source tag %q", ma.ModelID, src)
		}
		if len(ma.Metrics) == 0 || len(ma.Metrics) != len(mb.Metrics) {
			t.Errorf("model %s: %d metrics, copied %d", ma.ModelID, len(ma.Metrics), len(mb.Metrics))
		}
		for j := range min(len(ma.Metrics), len(mb.Metrics)) {
			x, y := ma.Metrics[j], mb.Metrics[j]
			if !samePoint(x, y) || x.DatasetDigest != y.DatasetDigest || x.DatasetName != y.DatasetName {
				t.Errorf("model %s: metric %+v, copied %+v", ma.ModelID, x, y)
			}
		}
		sameFiles(t, src, ma.ArtifactLocation, dst, mb.ArtifactLocation)
	}
}

func samePoint(a, b store.Metric) bool {
	return a.Key == b.Key && a.Step == b.Step && a.Timestamp == b.Timestamp && (a.Value == b.Value || a.Value != a.Value && b.Value != b.Value)
}

func withoutSync(tags []store.Tag) []store.Tag {
	var out []store.Tag
	for _, t := range tags {
		if !strings.HasPrefix(t.Key, "grove.sync.") {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func tagOf(tags []store.Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// sameFiles fails the test unless both artifact roots hold the same files
// with the same bytes.
func sameFiles(t testing.TB, a store.Store, ua string, b store.Store, ub string) {
	t.Helper()
	fa, fb := files(t, a, ua), files(t, b, ub)
	if len(fa) == 0 {
		t.Errorf("no files under %s", ua)
	}
	if len(fa) != len(fb) {
		t.Errorf("%d files under %s, %d under %s", len(fa), ua, len(fb), ub)
	}
	for p, data := range fa {
		if !bytes.Equal(data, fb[p]) {
			t.Errorf("file %s: %d bytes under %s, %d under %s, or they differ", p, len(data), ua, len(fb[p]), ub)
		}
	}
}

func files(t testing.TB, s store.Store, uri string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	repo, err := s.Artifacts(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	list, err := store.AllFiles(ctx, repo, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range list {
		rc, err := repo.Open(ctx, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Path] = data
	}
	return out
}

// sameAll checks that every source run of exp has exactly one copy on the
// target, equal to it.
func sameAll(t testing.TB, src store.Store, ids []string, dst store.Store, exp string) {
	t.Helper()
	cs := copies(t, dst, exp)
	if len(cs) != len(ids) {
		t.Errorf("%d copies on the target for %d runs", len(cs), len(ids))
	}
	for _, id := range ids {
		c := cs[id]
		if c == nil {
			t.Errorf("run %s has no copy", id)
			continue
		}
		sameRun(t, src, id, dst, c.Info.RunID)
	}
}
