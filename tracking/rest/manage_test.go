package rest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/storetest"
	"github.com/grove-ml/grove/tracking/rest"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// serveSQLite starts grove's server over a fresh SQLite store in a temporary
// folder and returns a client of it; wrap, when set, stands between them.
func serveSQLite(t *testing.T, wrap func(http.Handler) http.Handler) *rest.Store {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: filepath.Join(dir, "mlruns")})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(dir, "mlruns")})
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	c, err := rest.New(hs.URL, rest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		hs.Close()
		st.Close()
	})
	return c
}

func TestManagerOverServer(t *testing.T) {
	storetest.Manager(t, serveSQLite(t, nil))
}

func TestSearchExperimentsFilterAndOrder(t *testing.T) {
	ctx := context.Background()
	c := serveSQLite(t, nil)
	for _, n := range []string{"alpha", "beta", "alpine"} {
		if _, err := c.CreateExperiment(ctx, n, "", []store.Tag{{Key: "team", Value: n[:2]}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		filter string
		order  []string
		want   []string
	}{
		{"name prefix, by name", "name LIKE 'al%'", []string{"name ASC"}, []string{"alpha", "alpine"}},
		{"by name descending", "", []string{"name DESC"}, []string{"beta", "alpine", "alpha", "Default"}},
		{"tag", "tags.team = 'be'", nil, []string{"beta"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exps, next, err := c.SearchExperiments(ctx, store.ExperimentQuery{Filter: tc.filter, OrderBy: tc.order})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range exps {
				got = append(got, e.Name)
			}
			if next != "" || len(got) != len(tc.want) {
				t.Fatalf("got %v next %q, want %v", got, next, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	_, _, err := c.SearchExperiments(ctx, store.ExperimentQuery{Filter: "name ==== 'x'"})
	if !errors.Is(err, store.ErrInvalidParameter) {
		t.Errorf("bad filter: got %v, want invalid parameter", err)
	}
}

// A delete whose answer is lost is sent again; one that may not be sent
// twice (params of a logged model) is not.
func TestManagerRetries(t *testing.T) {
	ctx := context.Background()
	var fail atomic.Int32
	var sent atomic.Int32
	c := serveSQLite(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sent.Add(1)
			if fail.Add(-1) >= 0 {
				h.ServeHTTP(httptest.NewRecorder(), r) // applied, answer lost
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	exp, err := c.CreateExperiment(ctx, "e", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	lm, err := c.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: exp, Name: "m"})
	if err != nil {
		t.Fatal(err)
	}

	fail.Store(1)
	sent.Store(0)
	if err := c.DeleteRun(ctx, run.Info.RunID); err != nil {
		t.Fatalf("DeleteRun after a lost answer: %v", err)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("DeleteRun sent %d times, want 2", n)
	}
	r, err := c.GetRun(ctx, run.Info.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.LifecycleStage != store.LifecycleDeleted {
		t.Errorf("run is %s", r.Info.LifecycleStage)
	}

	fail.Store(1)
	sent.Store(0)
	err = c.LogLoggedModelParams(ctx, lm.ModelID, []store.Param{{Key: "k", Value: "v"}})
	var re *rest.Error
	if !errors.As(err, &re) || !re.MaybeApplied {
		t.Errorf("LogLoggedModelParams after a lost answer: %v, want an error that says it may be applied", err)
	}
	if n := sent.Load(); n != 1 {
		t.Errorf("LogLoggedModelParams sent %d times, want 1", n)
	}
}

func TestDeleteLoggedModelTagKeyInPath(t *testing.T) {
	ctx := context.Background()
	c := serveSQLite(t, nil)
	exp, err := c.CreateExperiment(ctx, "e", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	lm, err := c.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: exp, Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"a/b", "with space", "x:y", "dotted.key"}
	var tags []store.Tag
	for _, k := range keys {
		tags = append(tags, store.Tag{Key: k, Value: "1"})
	}
	if err := c.SetLoggedModelTags(ctx, lm.ModelID, tags); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := c.DeleteLoggedModelTag(ctx, lm.ModelID, k); err != nil {
			t.Errorf("delete %q: %v", k, err)
		}
	}
	got, err := c.GetLoggedModel(ctx, lm.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tags) != 0 {
		t.Errorf("tags left: %v", got.Tags)
	}
}
