package memstore

import (
	"context"
	"strconv"

	"github.com/grove-ml/grove/tracking/store"
)

// CreateExperiment implements store.Store.
func (s *Store) CreateExperiment(_ context.Context, name, loc string, tags []store.Tag) (string, error) {
	if name == "" {
		return "", errorf(store.CodeInvalidParameter, "experiment name is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			return "", errorf(store.CodeAlreadyExists, "experiment %q already exists", name)
		}
	}
	id := strconv.Itoa(len(s.exps))
	if loc == "" {
		loc = "mem://artifacts/" + id
	}
	e := &store.Experiment{ID: id, Name: name, ArtifactLocation: loc, LifecycleStage: store.LifecycleActive, Tags: map[string]string{}}
	for _, t := range tags {
		e.Tags[t.Key] = t.Value
	}
	s.exps[id] = e
	return id, nil
}

func copyExperiment(e *store.Experiment) *store.Experiment {
	c := *e
	c.Tags = make(map[string]string, len(e.Tags))
	for k, v := range e.Tags {
		c.Tags[k] = v
	}
	return &c
}

// GetExperiment implements store.Store.
func (s *Store) GetExperiment(_ context.Context, id string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return nil, err
	}
	return copyExperiment(e), nil
}

// GetExperimentByName implements store.Store.
func (s *Store) GetExperimentByName(_ context.Context, name string) (*store.Experiment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exps {
		if e.Name == name {
			return copyExperiment(e), nil
		}
	}
	return nil, errorf(store.CodeNotFound, "no experiment named %q", name)
}

// SetExperimentTag implements store.Store.
func (s *Store) SetExperimentTag(_ context.Context, id, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return err
	}
	e.Tags[key] = value
	return nil
}

// experiment returns the experiment with id; the caller holds s.mu.
func (s *Store) experiment(id string) (*store.Experiment, error) {
	e, ok := s.exps[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no experiment with id %s", id)
	}
	return e, nil
}
