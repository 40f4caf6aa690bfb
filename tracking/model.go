package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// ModelSpec describes an MLflow 3 logged model to create from a run.
type ModelSpec struct {
	Name      string            // "model" when empty, as MLflow's autolog names it
	ModelType string            // free text, e.g. "classifier"; may be empty
	Params    map[string]string // attached to the model, as MLflow attaches the run's params
	Tags      map[string]string // attached to the model
	Step      int64             // the step of the run output link
	// Write writes the model's files. It receives the created model (its id
	// and artifact location are known by then, for the MLmodel file) and the
	// repository rooted at the model's artifact folder.
	Write func(ctx context.Context, m *store.LoggedModel, files store.ArtifactRepo) error
}

// LogModel logs a model as MLflow 3 does: it creates the logged model
// (PENDING) with the run as its source, links it to the run as an output,
// writes its files through spec.Write and marks it READY. When writing fails
// the model is marked FAILED and the error says so.
func (r *Run) LogModel(ctx context.Context, spec ModelSpec) (*store.LoggedModel, error) {
	if spec.Write == nil {
		return nil, invalid("log model: ModelSpec.Write is nil; a model needs files")
	}
	name := spec.Name
	if name == "" {
		name = "model"
	}
	if err := validateModelName(name); err != nil {
		return nil, err
	}
	params, tags, warnings, err := truncateLong(fmt.Sprintf("of model %q of run %s", name, r.info.RunID), sortedParams(spec.Params), sortedTags(spec.Tags))
	if err != nil {
		return nil, err
	}
	if _, err := validateBatch(nil, params, tags); err != nil {
		return nil, err
	}
	r.c.warn(warnings)
	s := r.c.store
	m, err := s.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{
		ExperimentID: r.info.ExperimentID,
		Name:         name,
		ModelType:    spec.ModelType,
		SourceRunID:  r.info.RunID,
		Params:       params,
		Tags:         tags,
	})
	if err != nil {
		return nil, fmt.Errorf("tracking: create logged model %q for run %s: %w", name, r.info.RunID, err)
	}
	fail := func(err error) (*store.LoggedModel, error) {
		// Best effort: the model must not stay PENDING for ever, yet the
		// error that matters is the first one.
		_, ferr := s.FinalizeLoggedModel(context.WithoutCancel(ctx), m.ModelID, store.ModelFailed)
		return m, errors.Join(err, ferr)
	}
	if err := s.LogOutputs(ctx, r.info.RunID, []store.ModelIO{{ModelID: m.ModelID, Step: spec.Step}}); err != nil {
		return fail(fmt.Errorf("tracking: link model %s to run %s: %w", m.ModelID, r.info.RunID, err))
	}
	repo, err := s.Artifacts(ctx, m.ArtifactLocation)
	if err != nil {
		return fail(fmt.Errorf("tracking: artifacts of model %s at %s: %w", m.ModelID, m.ArtifactLocation, err))
	}
	if err := spec.Write(ctx, m, repo); err != nil {
		return fail(fmt.Errorf("tracking: write files of model %s: %w", m.ModelID, err))
	}
	done, err := s.FinalizeLoggedModel(ctx, m.ModelID, store.ModelReady)
	if err != nil {
		return m, fmt.Errorf("tracking: finalize model %s: %w", m.ModelID, err)
	}
	return done, nil
}

func validateModelName(name string) error {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "/:") {
		return invalid("model name %q must not be empty or hold '/' or ':'", name)
	}
	return nil
}
