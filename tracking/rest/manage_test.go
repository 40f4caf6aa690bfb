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

// TestManagerRetries loses the answer of a request the server applied:
// deletes, restores and tags are sent again and succeed, an experiment
// found deleted by the first attempt included; a logged model's params,
// which MLflow would add twice, are not, and the error says they may be
// there.
func TestManagerRetries(t *testing.T) {
	ctx := context.Background()
	var lose, sent atomic.Int32
	c := serveSQLite(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sent.Add(1)
			if lose.Add(-1) >= 0 {
				h.ServeHTTP(httptest.NewRecorder(), r)
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
	id := run.Info.RunID
	stage := func() string {
		e, err := c.GetExperiment(ctx, exp)
		if err != nil {
			t.Fatal(err)
		}
		return e.LifecycleStage
	}
	for _, tc := range []struct {
		name      string
		do        func() error
		sent      int32
		maybeDone bool // the call fails and says it may have been applied
		check     func() bool
	}{
		{"delete run", func() error { return c.DeleteRun(ctx, id) }, 2, false, func() bool {
			r, err := c.GetRun(ctx, id)
			return err == nil && r.Info.LifecycleStage == store.LifecycleDeleted
		}},
		{"restore run", func() error { return c.RestoreRun(ctx, id) }, 2, false, func() bool {
			r, err := c.GetRun(ctx, id)
			return err == nil && r.Info.LifecycleStage == store.LifecycleActive
		}},
		// The second attempt is refused (already deleted) and the
		// experiment is looked up: 3 requests.
		{"delete experiment", func() error { return c.DeleteExperiment(ctx, exp) }, 3, false,
			func() bool { return stage() == store.LifecycleDeleted }},
		{"restore experiment", func() error { return c.RestoreExperiment(ctx, exp) }, 3, false,
			func() bool { return stage() == store.LifecycleActive }},
		{"rename experiment", func() error { return c.RenameExperiment(ctx, exp, "f") }, 2, false, func() bool {
			_, err := c.GetExperimentByName(ctx, "f")
			return err == nil
		}},
		{"set model tags", func() error { return c.SetLoggedModelTags(ctx, lm.ModelID, []store.Tag{{Key: "t", Value: "1"}}) }, 2, false,
			func() bool {
				m, err := c.GetLoggedModel(ctx, lm.ModelID)
				return err == nil && len(m.Tags) == 1
			}},
		{"log model params", func() error {
			return c.LogLoggedModelParams(ctx, lm.ModelID, []store.Param{{Key: "k", Value: "v"}})
		}, 1, true, func() bool {
			m, err := c.GetLoggedModel(ctx, lm.ModelID)
			return err == nil && len(m.Params) == 1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lose.Store(1)
			sent.Store(0)
			err := tc.do()
			var re *rest.Error
			switch {
			case tc.maybeDone && (!errors.As(err, &re) || !re.MaybeApplied):
				t.Errorf("got %v, want an error that says the request may have been applied", err)
			case !tc.maybeDone && err != nil:
				t.Errorf("after a lost answer: %v", err)
			}
			if n := sent.Load(); n != tc.sent {
				t.Errorf("%d requests, want %d", n, tc.sent)
			}
			if !tc.check() {
				t.Error("the server does not hold what was asked")
			}
		})
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
