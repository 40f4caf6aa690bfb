package sqlstore

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/store"
)

// modelStore is what the logged-model search test needs of a store.
type modelStore interface {
	store.Store
	store.Manager
}

// fillModels records the same logged models in s: names a to d, with
// params, tags and metrics that the searches below tell apart. Models are
// created a few milliseconds apart so that their creation times, which the
// default order sorts by, differ.
func fillModels(t *testing.T, s modelStore) string {
	t.Helper()
	ctx := context.Background()
	exp, err := s.CreateExperiment(ctx, "models", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: 1})
	if err != nil {
		t.Fatal(err)
	}
	specs := []struct {
		name, typ, depth, team string
		acc                    []float64 // by step; the last is the latest
		ready                  bool
	}{
		{"a", "tree", "3", "x", []float64{0.5, 0.7}, true},
		{"b", "tree", "30", "", []float64{0.9}, false},
		{"c", "linear", "", "y", nil, true},
		{"d", "tree", "4", "x", []float64{0.95, 0.6}, true},
	}
	for _, sp := range specs {
		req := store.CreateLoggedModelRequest{ExperimentID: exp, Name: sp.name, ModelType: sp.typ, SourceRunID: run.Info.RunID}
		if sp.depth != "" {
			req.Params = []store.Param{{Key: "depth", Value: sp.depth}}
		}
		if sp.team != "" {
			req.Tags = []store.Tag{{Key: "team", Value: sp.team}}
		}
		m, err := s.CreateLoggedModel(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var metrics []store.Metric
		for step, v := range sp.acc {
			metrics = append(metrics, store.Metric{Key: "acc", Value: v, Timestamp: 10, Step: int64(step), ModelID: m.ModelID})
		}
		if len(metrics) > 0 {
			if err := s.LogBatch(ctx, run.Info.RunID, metrics, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if sp.ready {
			if _, err := s.FinalizeLoggedModel(ctx, m.ModelID, store.ModelReady); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3 * time.Millisecond)
	}
	return exp
}

// TestSearchLoggedModelsAgree checks that the SQLite store and the memory
// store keep and order the same logged models for a filter and an order,
// and that both give the names expected.
func TestSearchLoggedModelsAgree(t *testing.T) {
	sq := newStore(t)
	mem := memstore.New()
	sqExp, memExp := fillModels(t, sq), fillModels(t, mem)
	tests := []struct {
		name   string
		filter string
		order  []store.LoggedModelOrder
		want   []string
	}{
		{name: "all, newest first", want: []string{"d", "c", "b", "a"}},
		{name: "name", filter: "name = 'b'", want: []string{"b"}},
		{name: "type and status", filter: "model_type = 'tree' AND status = 'LOGGED_MODEL_READY'", want: []string{"d", "a"}},
		{name: "name like, oldest first", filter: "name LIKE '%'", order: []store.LoggedModelOrder{{Field: "creation_time", Ascending: true}}, want: []string{"a", "b", "c", "d"}},
		{name: "any metric value", filter: "metrics.acc >= 0.9", want: []string{"d", "b"}},
		{name: "param", filter: "params.depth LIKE '3%'", want: []string{"b", "a"}},
		{name: "missing tag", filter: "tags.team IS NULL", want: []string{"b"}},
		{name: "tag", filter: "tags.team = 'x'", want: []string{"d", "a"}},
		{name: "by latest metric, models without it last", order: []store.LoggedModelOrder{{Field: "metrics.acc", Ascending: false}}, want: []string{"b", "a", "d", "c"}},
		{name: "by name descending", order: []store.LoggedModelOrder{{Field: "name"}}, want: []string{"d", "c", "b", "a"}},
		{name: "nothing", filter: "metrics.acc > 1", want: nil},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [2][]string
			for i, s := range []struct {
				m   modelStore
				exp string
			}{{sq, sqExp}, {mem, memExp}} {
				token := ""
				for {
					page, next, err := s.m.SearchLoggedModels(ctx, store.LoggedModelQuery{
						ExperimentIDs: []string{s.exp}, Filter: tt.filter, OrderBy: tt.order, MaxResults: 3, PageToken: token})
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range page {
						got[i] = append(got[i], m.Name)
					}
					if token = next; token == "" {
						break
					}
				}
			}
			if !slices.Equal(got[0], tt.want) {
				t.Errorf("sqlstore: %q, want %q", got[0], tt.want)
			}
			if !slices.Equal(got[1], got[0]) {
				t.Errorf("memstore %q, sqlstore %q", got[1], got[0])
			}
		})
	}
	for _, filter := range []string{"run_name = 'a'", "metrics.acc LIKE 'a'"} {
		for _, s := range []modelStore{sq, mem} {
			_, _, err := s.SearchLoggedModels(ctx, store.LoggedModelQuery{ExperimentIDs: []string{"1"}, Filter: filter})
			if !errors.Is(err, store.ErrInvalidParameter) {
				t.Errorf("%T, filter %q: error %v, want an invalid parameter", s, filter, err)
			}
		}
	}
}
