package memstore

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

var _ store.Manager = (*Store)(nil)

// DeleteRun implements store.Manager.
func (s *Store) DeleteRun(_ context.Context, id string) error {
	return s.setRunStage(id, store.LifecycleDeleted)
}

// RestoreRun implements store.Manager.
func (s *Store) RestoreRun(_ context.Context, id string) error {
	return s.setRunStage(id, store.LifecycleActive)
}

func (s *Store) setRunStage(id, stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	r.Info.LifecycleStage = stage
	return nil
}

// DeleteTag implements store.Manager.
func (s *Store) DeleteTag(_ context.Context, id, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	if r.Info.LifecycleStage != store.LifecycleActive {
		return store.Errorf(store.CodeInvalidParameter, "memstore: run %s is not active", id)
	}
	i := slices.IndexFunc(r.Data.Tags, func(t store.Tag) bool { return t.Key == key })
	if i < 0 {
		return store.Errorf(store.CodeNotFound, "memstore: no tag %q on run %s", key, id)
	}
	r.Data.Tags = slices.Delete(r.Data.Tags, i, i+1)
	return nil
}

// DeleteExperiment implements store.Manager.
func (s *Store) DeleteExperiment(_ context.Context, id string) error {
	if id == "0" {
		return store.Errorf(store.CodeInvalidParameter, "memstore: the Default experiment cannot be deleted")
	}
	return s.setExperimentStage(id, store.LifecycleDeleted)
}

// RestoreExperiment implements store.Manager.
func (s *Store) RestoreExperiment(_ context.Context, id string) error {
	return s.setExperimentStage(id, store.LifecycleActive)
}

func (s *Store) setExperimentStage(id, stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return err
	}
	e.LifecycleStage = stage
	for _, r := range s.runs {
		if r.Info.ExperimentID == id {
			r.Info.LifecycleStage = stage
		}
	}
	return nil
}

// RenameExperiment implements store.Manager.
func (s *Store) RenameExperiment(_ context.Context, id, name string) error {
	if name == "" {
		return store.Errorf(store.CodeInvalidParameter, "memstore: experiment name is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return err
	}
	for _, o := range s.exps {
		if o.Name == name && o != e {
			return store.Errorf(store.CodeAlreadyExists, "memstore: experiment %q already exists", name)
		}
	}
	e.Name = name
	return nil
}

// DeleteExperimentTag implements store.Manager.
func (s *Store) DeleteExperimentTag(_ context.Context, id, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(id)
	if err != nil {
		return err
	}
	if _, ok := e.Tags[key]; !ok {
		return store.Errorf(store.CodeNotFound, "memstore: no tag %q on experiment %s", key, id)
	}
	delete(e.Tags, key)
	return nil
}

// SearchExperiments implements store.Manager with q's filter and order as
// package search evaluates them. Page tokens are offsets.
func (s *Store) SearchExperiments(_ context.Context, q store.ExperimentQuery) ([]*store.Experiment, string, error) {
	query, err := search.ParseExperimentQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*store.Experiment
	for _, e := range s.exps {
		if q.ViewType.Sees(e.LifecycleStage) && query.Match(e) {
			all = append(all, e)
		}
	}
	query.Sort(all)
	page, next, err := pageOf(all, q.PageToken, cmp.Or(q.MaxResults, defaultPageSize))
	if err != nil {
		return nil, "", err
	}
	out := make([]*store.Experiment, len(page))
	for i, e := range page {
		out[i] = copyExperiment(e)
	}
	return out, next, nil
}

// pageOf cuts the page that starts at the offset token.
func pageOf[T any](all []T, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", store.Errorf(store.CodeInvalidParameter, "memstore: bad page token %q", token)
		}
		start = n
	}
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

// SearchLoggedModels implements store.Manager.
func (s *Store) SearchLoggedModels(_ context.Context, q store.LoggedModelQuery) ([]*store.LoggedModel, string, error) {
	sq, err := search.ParseLoggedModelQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*store.LoggedModel
	for _, m := range s.models {
		if slices.Contains(q.ExperimentIDs, m.ExperimentID) && sq.Match(m) {
			all = append(all, m)
		}
	}
	sq.Sort(all)
	page, next, err := pageOf(all, q.PageToken, cmp.Or(q.MaxResults, 100))
	if err != nil {
		return nil, "", err
	}
	out := make([]*store.LoggedModel, len(page))
	for i, m := range page {
		out[i] = copyModel(m)
	}
	return out, next, nil
}

// LogLoggedModelParams implements store.Manager.
func (s *Store) LogLoggedModelParams(_ context.Context, id string, params []store.Param) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return store.Errorf(store.CodeNotFound, "memstore: no logged model with id %s", id)
	}
	for _, p := range params {
		if i := slices.IndexFunc(lm.Params, func(q store.Param) bool { return q.Key == p.Key }); i >= 0 {
			lm.Params[i] = p
		} else {
			lm.Params = append(lm.Params, p)
		}
	}
	return nil
}

// SetLoggedModelTags implements store.Manager.
func (s *Store) SetLoggedModelTags(_ context.Context, id string, tags []store.Tag) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return store.Errorf(store.CodeNotFound, "memstore: no logged model with id %s", id)
	}
	for _, t := range tags {
		if i := slices.IndexFunc(lm.Tags, func(q store.Tag) bool { return q.Key == t.Key }); i >= 0 {
			lm.Tags[i] = t
		} else {
			lm.Tags = append(lm.Tags, t)
		}
	}
	return nil
}

// DeleteLoggedModelTag implements store.Manager.
func (s *Store) DeleteLoggedModelTag(_ context.Context, id, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return store.Errorf(store.CodeNotFound, "memstore: no logged model with id %s", id)
	}
	i := slices.IndexFunc(lm.Tags, func(t store.Tag) bool { return t.Key == key })
	if i < 0 {
		return store.Errorf(store.CodeNotFound, "memstore: no tag %q on logged model %s", key, id)
	}
	lm.Tags = slices.Delete(lm.Tags, i, i+1)
	return nil
}
