package tracking

import (
	"bytes"
	"context"
	"errors"
	"log"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// truncateStores are the stores the truncation is checked against: it is
// the client's work, so every store must record the same cut values.
func truncateStores(t *testing.T) map[string]func(t *testing.T) *Client {
	return map[string]func(t *testing.T) *Client{
		"memory": func(t *testing.T) *Client { return NewClient(newMemStore(), "mem") },
		"sqlite": func(t *testing.T) *Client {
			c, err := Open(context.Background(), "sqlite:///"+filepath.Join(t.TempDir(), "mlflow.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		},
	}
}

// TestTruncateLongValues: param and tag values over MLflow's limits are cut
// to the limit, in characters, with one warning per value cut, wherever
// they are logged: a batch, the tags of a new run, a logged model.
func TestTruncateLongValues(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	for name, open := range truncateStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := open(t)
			var logged bytes.Buffer
			c.SetLogger(log.New(&logged, "", 0))
			run := startTestRun(t, c, RunOptions{Tags: map[string]string{"note": long(9000)}})
			if err := run.LogParams(ctx, map[string]string{"data_source": long(7000), "at_limit": long(6000)}); err != nil {
				t.Fatal(err)
			}
			if err := run.SetTag(ctx, "description", long(8001)); err != nil {
				t.Fatal(err)
			}
			lm, err := run.LogModel(ctx, ModelSpec{Params: map[string]string{"columns": long(6001)},
				Write: func(context.Context, *store.LoggedModel, store.ArtifactRepo) error { return nil }})
			if err != nil {
				t.Fatal(err)
			}

			r, err := c.GetRun(ctx, run.ID())
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []struct {
				what, key string
				n         int
			}{{"tag", "note", 8000}, {"param", "data_source", 6000}, {"param", "at_limit", 6000}, {"tag", "description", 8000}} {
				var v string
				if want.what == "tag" {
					v, _ = r.Tag(want.key)
				} else {
					v, _ = r.Param(want.key)
				}
				if utf8.RuneCountInString(v) != want.n || v != long(want.n) {
					t.Errorf("%s %s holds %d characters, want the first %d", want.what, want.key, utf8.RuneCountInString(v), want.n)
				}
			}
			m, err := c.Store().GetLoggedModel(ctx, lm.ModelID)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Params) != 1 || m.Params[0].Value != long(6000) {
				t.Errorf("model params %d, want columns cut to 6000 characters", len(m.Params))
			}

			lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
			if len(lines) != 4 {
				t.Fatalf("%d warnings, want one per value cut (4):\n%s", len(lines), logged.String())
			}
			for i, want := range []string{
				`tag "note" of new run`, `param "data_source" of run ` + run.ID() + ": value of 7000 characters",
				`tag "description" of run ` + run.ID(), `param "columns" of model "model" of run ` + run.ID(),
			} {
				if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "limit of") || !strings.Contains(lines[i], EnvTruncateLongValues) {
					t.Errorf("warning %q does not say %q, the limit and %s", lines[i], want, EnvTruncateLongValues)
				}
			}
		})
	}
}

// TestTruncateLongValuesOff: with MLFLOW_TRUNCATE_LONG_VALUES=false a long
// value is refused as before, and nothing of the batch is logged; a value
// of the variable that MLflow would not read is an error naming it.
func TestTruncateLongValuesOff(t *testing.T) {
	for _, tt := range []struct{ env, errHas string }{
		{"false", "more than MLflow's limit of 6000"},
		{"0", "more than MLflow's limit of 6000"},
		{"maybe", EnvTruncateLongValues},
	} {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(EnvTruncateLongValues, tt.env)
			c, _ := newTestClient(t)
			var logged bytes.Buffer
			c.SetLogger(log.New(&logged, "", 0))
			run := startTestRun(t, c, RunOptions{})
			err := run.LogParams(context.Background(), map[string]string{"a": "1", "long": strings.Repeat("x", 6001)})
			if !errors.Is(err, store.ErrInvalidParameter) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err = %v, want INVALID_PARAMETER_VALUE saying %q", err, tt.errHas)
			}
			r, err := c.GetRun(context.Background(), run.ID())
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Data.Params) != 0 || logged.Len() != 0 {
				t.Errorf("params %v logged and warnings %q printed, want none", r.Data.Params, logged.String())
			}
		})
	}
	t.Run("values within the limits ignore the variable", func(t *testing.T) {
		t.Setenv(EnvTruncateLongValues, "maybe")
		c, _ := newTestClient(t)
		run := startTestRun(t, c, RunOptions{})
		if err := run.LogParam(context.Background(), "a", "1"); err != nil {
			t.Fatal(err)
		}
	})
}
