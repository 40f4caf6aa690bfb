// Package storetest holds checks that every store.Store implementation must
// pass, so that the SQLite and in-memory stores are held to one contract.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// Manager checks the store.Manager operations of s, a fresh store.
func Manager(t *testing.T, s store.Store) {
	ctx := context.Background()
	m, ok := s.(store.Manager)
	if !ok {
		t.Fatalf("%T does not implement store.Manager", s)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	is := func(err, target error, what string) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("%s: got %v, want %v", what, err, target)
		}
	}
	exp, err := s.CreateExperiment(ctx, "managed", "", []store.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}})
	must(err)
	run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: "r", StartTime: 1000,
		Tags: []store.Tag{{Key: "note", Value: "x"}}})
	must(err)
	id := run.Info.RunID

	t.Run("delete and restore a run", func(t *testing.T) {
		must(m.DeleteRun(ctx, id))
		r, err := s.GetRun(ctx, id)
		must(err)
		if r.Info.LifecycleStage != store.LifecycleDeleted {
			t.Errorf("after DeleteRun the run is %s", r.Info.LifecycleStage)
		}
		runs, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}})
		must(err)
		if len(runs) != 0 {
			t.Errorf("a deleted run is still listed: %d runs", len(runs))
		}
		is(m.DeleteTag(ctx, id, "note"), store.ErrInvalidParameter, "DeleteTag on a deleted run")
		must(m.RestoreRun(ctx, id))
		r, err = s.GetRun(ctx, id)
		must(err)
		if r.Info.LifecycleStage != store.LifecycleActive {
			t.Errorf("after RestoreRun the run is %s", r.Info.LifecycleStage)
		}
		is(m.DeleteRun(ctx, "0123456789abcdef0123456789abcdef"), store.ErrNotFound, "DeleteRun of a missing run")
	})

	t.Run("delete a run tag", func(t *testing.T) {
		must(m.DeleteTag(ctx, id, "note"))
		r, err := s.GetRun(ctx, id)
		must(err)
		if _, ok := r.Tag("note"); ok {
			t.Error("the tag is still there")
		}
		is(m.DeleteTag(ctx, id, "note"), store.ErrNotFound, "DeleteTag twice")
	})

	t.Run("experiment tags and name", func(t *testing.T) {
		must(m.DeleteExperimentTag(ctx, exp, "a"))
		e, err := s.GetExperiment(ctx, exp)
		must(err)
		if _, ok := e.Tags["a"]; ok || e.Tags["b"] != "2" {
			t.Errorf("tags after deleting a: %v", e.Tags)
		}
		must(m.RenameExperiment(ctx, exp, "renamed"))
		if _, err := s.GetExperimentByName(ctx, "renamed"); err != nil {
			t.Error(err)
		}
		is(m.RenameExperiment(ctx, exp, "Default"), store.ErrAlreadyExists, "rename onto Default")
	})

	t.Run("delete and restore an experiment", func(t *testing.T) {
		must(m.DeleteExperiment(ctx, exp))
		e, err := s.GetExperiment(ctx, exp)
		must(err)
		r, err := s.GetRun(ctx, id)
		must(err)
		if e.LifecycleStage != store.LifecycleDeleted || r.Info.LifecycleStage != store.LifecycleDeleted {
			t.Errorf("after DeleteExperiment: experiment %s, run %s", e.LifecycleStage, r.Info.LifecycleStage)
		}
		active, _, err := m.SearchExperiments(ctx, store.ExperimentQuery{})
		must(err)
		deleted, _, err := m.SearchExperiments(ctx, store.ExperimentQuery{ViewType: store.ViewDeletedOnly})
		must(err)
		if len(active) != 1 || active[0].ID != "0" || len(deleted) != 1 || deleted[0].ID != exp {
			t.Errorf("active %d, deleted %d experiments", len(active), len(deleted))
		}
		must(m.RestoreExperiment(ctx, exp))
		r, err = s.GetRun(ctx, id)
		must(err)
		if r.Info.LifecycleStage != store.LifecycleActive {
			t.Errorf("after RestoreExperiment the run is %s", r.Info.LifecycleStage)
		}
		is(m.DeleteExperiment(ctx, "0"), store.ErrInvalidParameter, "delete Default")
		is(m.DeleteExperiment(ctx, "999"), store.ErrNotFound, "delete a missing experiment")
	})

	t.Run("search experiments a page at a time", func(t *testing.T) {
		for _, n := range []string{"p1", "p2", "p3"} {
			_, err := s.CreateExperiment(ctx, n, "", nil)
			must(err)
		}
		seen := map[string]bool{}
		tok := ""
		for range 10 {
			page, next, err := m.SearchExperiments(ctx, store.ExperimentQuery{MaxResults: 2, PageToken: tok, ViewType: store.ViewAll})
			must(err)
			if len(page) > 2 {
				t.Fatalf("page of %d", len(page))
			}
			for _, e := range page {
				if seen[e.ID] {
					t.Errorf("experiment %s listed twice", e.ID)
				}
				seen[e.ID] = true
			}
			if next == "" {
				break
			}
			tok = next
		}
		if len(seen) != 5 {
			t.Errorf("listed %d experiments, want 5", len(seen))
		}
	})

	t.Run("logged models", func(t *testing.T) {
		lm, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: exp, Name: "m", SourceRunID: id})
		must(err)
		must(m.LogLoggedModelParams(ctx, lm.ModelID, []store.Param{{Key: "depth", Value: "3"}}))
		must(m.SetLoggedModelTags(ctx, lm.ModelID, []store.Tag{{Key: "t", Value: "1"}, {Key: "u", Value: "2"}}))
		must(m.DeleteLoggedModelTag(ctx, lm.ModelID, "u"))
		is(m.DeleteLoggedModelTag(ctx, lm.ModelID, "u"), store.ErrNotFound, "delete a model tag twice")
		got, err := s.GetLoggedModel(ctx, lm.ModelID)
		must(err)
		if len(got.Params) != 1 || got.Params[0].Value != "3" || len(got.Tags) != 1 || got.Tags[0].Key != "t" {
			t.Errorf("model params %v, tags %v", got.Params, got.Tags)
		}
		models, next, err := m.SearchLoggedModels(ctx, store.LoggedModelQuery{ExperimentIDs: []string{exp}})
		must(err)
		if len(models) != 1 || models[0].ModelID != lm.ModelID || next != "" {
			t.Errorf("search found %d models, next %q", len(models), next)
		}
		is(m.SetLoggedModelTags(ctx, "m-missing", nil), store.ErrNotFound, "tags of a missing model")
	})
}
