package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

func TestExperiments(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	id, err := s.CreateExperiment(ctx, "iris", "", []store.Tag{{Key: "team", Value: "grove"}})
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" {
		t.Errorf("first experiment id %s, want 1", id)
	}
	e, err := s.GetExperimentByName(ctx, "iris")
	if err != nil {
		t.Fatal(err)
	}
	wantLoc := s.ArtifactRoot() + "/1"
	if e.ID != "1" || e.ArtifactLocation != wantLoc || e.LifecycleStage != "active" || e.Tags["team"] != "grove" || e.CreationTime == 0 {
		t.Errorf("experiment = %+v", e)
	}
	if !filepath.IsAbs(e.ArtifactLocation) {
		t.Errorf("artifact location %s is not absolute", e.ArtifactLocation)
	}
	if _, err := s.CreateExperiment(ctx, "iris", "", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("duplicate experiment: %v", err)
	}
	id2, err := s.CreateExperiment(ctx, "elsewhere", "rel/arts", nil)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := s.GetExperiment(ctx, id2)
	if id2 != "2" || !filepath.IsAbs(e2.ArtifactLocation) || !strings.HasSuffix(e2.ArtifactLocation, "rel/arts") {
		t.Errorf("experiment 2 = %+v", e2)
	}
	if err := s.SetExperimentTag(ctx, id, "team", "forest"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetExperimentTag(ctx, id, "mlflow.note.content", "notes"); err != nil {
		t.Fatal(err)
	}
	e, _ = s.GetExperiment(ctx, id)
	if len(e.Tags) != 2 || e.Tags["team"] != "forest" {
		t.Errorf("tags = %v", e.Tags)
	}
	d, err := s.GetExperiment(ctx, "0")
	if err != nil || d.Name != "Default" {
		t.Errorf("Default experiment: %+v %v", d, err)
	}
	for _, bad := range []struct {
		name string
		want error
		call func() error
	}{
		{"missing id", store.ErrNotFound, func() error { _, err := s.GetExperiment(ctx, "99"); return err }},
		{"missing name", store.ErrNotFound, func() error { _, err := s.GetExperimentByName(ctx, "nope"); return err }},
		{"tag of missing", store.ErrNotFound, func() error { return s.SetExperimentTag(ctx, "99", "k", "v") }},
		{"id not a number", store.ErrInvalidParameter, func() error { _, err := s.GetExperiment(ctx, "abc"); return err }},
		{"empty name", store.ErrInvalidParameter, func() error { _, err := s.CreateExperiment(ctx, "", "", nil); return err }},
		{"empty tag key", store.ErrInvalidParameter, func() error { return s.SetExperimentTag(ctx, id, "", "v") }},
		{"long tag value", store.ErrInvalidParameter, func() error { return s.SetExperimentTag(ctx, id, "k", strings.Repeat("v", 5001)) }},
		{"long name", store.ErrInvalidParameter, func() error {
			_, err := s.CreateExperiment(ctx, strings.Repeat("n", 501), "", nil)
			return err
		}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if err := bad.call(); !errors.Is(err, bad.want) {
				t.Errorf("%v, want %v", err, bad.want)
			}
		})
	}
}
