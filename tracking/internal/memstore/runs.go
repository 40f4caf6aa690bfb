package memstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/grove-ml/grove/tracking/store"
)

// runNameTag is the tag MLflow keeps a run's name in.
const runNameTag = store.TagRunName

// CreateRun implements store.Store. The name is the request's, else the
// mlflow.runName tag's, else a generated one, and the tag is set to it.
func (s *Store) CreateRun(_ context.Context, req store.CreateRunRequest) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	name, tags, err := req.NameAndTags()
	if err != nil {
		return nil, err
	}
	// Ids follow from what the run is, not from the order runs are created
	// in, so tests can record the same runs in another order.
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d", e.ID, name, req.StartTime))
	id := hex.EncodeToString(sum[:16])
	for s.runs[id] != nil {
		sum = sha256.Sum256(sum[:])
		id = hex.EncodeToString(sum[:16])
	}
	r := &store.Run{Info: store.RunInfo{
		RunID: id, RunName: name, ExperimentID: e.ID, UserID: req.UserID, Status: store.StatusRunning,
		StartTime: req.StartTime, ArtifactURI: e.ArtifactLocation + "/" + id + "/artifacts", LifecycleStage: store.LifecycleActive,
	}}
	r.Data.Tags = tags
	s.runs[id] = r
	s.history[id] = map[string][]store.Metric{}
	return s.copyRun(r), nil
}

// copyRun returns a copy the caller may change, with each metric's latest
// point derived from the history, keys sorted.
func (s *Store) copyRun(r *store.Run) *store.Run {
	c := *r
	c.Data.Params = slices.Clone(r.Data.Params)
	c.Data.Tags = slices.Clone(r.Data.Tags)
	c.Inputs.Datasets = slices.Clone(r.Inputs.Datasets)
	c.Inputs.Models = slices.Clone(r.Inputs.Models)
	c.Outputs.Models = slices.Clone(r.Outputs.Models)
	c.Data.Metrics = nil
	h := s.history[r.Info.RunID]
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.Data.Metrics = append(c.Data.Metrics, slices.MaxFunc(h[k], store.ComparePoints))
	}
	return &c
}

// UpdateRun implements store.Store.
func (s *Store) UpdateRun(_ context.Context, id string, status store.RunStatus, end int64, name string) (*store.RunInfo, error) {
	if !status.Valid() {
		return nil, errorf(store.CodeInvalidParameter, "run status %q is not valid", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return nil, err
	}
	r.Info.Status = status
	if end != 0 {
		r.Info.EndTime = end
	}
	if name != "" {
		r.Info.RunName = name
		setTag(r, store.Tag{Key: runNameTag, Value: name})
	}
	info := r.Info
	return &info, nil
}

// GetRun implements store.Store.
func (s *Store) GetRun(_ context.Context, id string) (*store.Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return nil, err
	}
	return s.copyRun(r), nil
}

// Restore puts runs into the store as they are, ids, lifecycle stages,
// times and latest metrics included, as a backup brings them back: tests
// load runs another store recorded (MLflow's own database) this way. Each
// run's experiment must exist and its id must be new.
func (s *Store) Restore(runs ...*store.Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range runs {
		if _, err := s.experiment(r.Info.ExperimentID); err != nil {
			return err
		}
		if s.runs[r.Info.RunID] != nil {
			return store.Errorf(store.CodeAlreadyExists, "memstore: run %s already exists", r.Info.RunID)
		}
	}
	for _, r := range runs {
		c := *r
		c.Data.Params = slices.Clone(r.Data.Params)
		c.Data.Tags = slices.Clone(r.Data.Tags)
		c.Data.Metrics = nil
		c.Inputs.Datasets = slices.Clone(r.Inputs.Datasets)
		c.Inputs.Models = slices.Clone(r.Inputs.Models)
		c.Outputs.Models = slices.Clone(r.Outputs.Models)
		h := map[string][]store.Metric{}
		for _, m := range r.Data.Metrics {
			h[m.Key] = append(h[m.Key], m)
		}
		s.runs[r.Info.RunID] = &c
		s.history[r.Info.RunID] = h
	}
	return nil
}

func setTag(r *store.Run, t store.Tag) {
	for i := range r.Data.Tags {
		if r.Data.Tags[i].Key == t.Key {
			r.Data.Tags[i].Value = t.Value
			return
		}
	}
	r.Data.Tags = append(r.Data.Tags, t)
}

// LogBatch implements store.Store. A batch over MLflow's limits, or one that
// changes a param, records nothing.
func (s *Store) LogBatch(_ context.Context, id string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if len(metrics) > store.MaxBatchMetrics || len(params) > store.MaxBatchParams || len(tags) > store.MaxBatchTags ||
		len(metrics)+len(params)+len(tags) > store.MaxBatchItems {
		return errorf(store.CodeInvalidParameter, "batch too large: %d metrics, %d params, %d tags", len(metrics), len(params), len(tags))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	var fresh []store.Param
	for _, p := range params {
		v, ok := r.Param(p.Key)
		if !ok {
			for _, f := range fresh {
				if f.Key == p.Key {
					v, ok = f.Value, true
				}
			}
		}
		if ok && v != p.Value {
			return errorf(store.CodeInvalidParameter, "param %q already logged as %q, cannot change it to %q", p.Key, v, p.Value)
		}
		if !ok {
			fresh = append(fresh, p)
		}
	}
	r.Data.Params = append(r.Data.Params, fresh...)
	for _, t := range tags {
		setTag(r, t)
	}
	for _, m := range metrics {
		s.history[id][m.Key] = append(s.history[id][m.Key], m)
		if lm, ok := s.models[m.ModelID]; ok {
			lm.Metrics = append(lm.Metrics, m)
		}
	}
	return nil
}

// GetMetricHistory implements store.Store.
func (s *Store) GetMetricHistory(_ context.Context, id, key string) ([]store.Metric, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.history[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no run with id %s", id)
	}
	pts := slices.Clone(h[key])
	slices.SortStableFunc(pts, store.ComparePoints)
	return pts, nil
}

// LogInputs implements store.Store.
func (s *Store) LogInputs(_ context.Context, id string, ds []store.DatasetInput, models []store.ModelIO) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	r.Inputs.Datasets = append(r.Inputs.Datasets, ds...)
	r.Inputs.Models = append(r.Inputs.Models, models...)
	return nil
}

// LogOutputs implements store.Store.
func (s *Store) LogOutputs(_ context.Context, id string, models []store.ModelIO) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.run(id)
	if err != nil {
		return err
	}
	r.Outputs.Models = append(r.Outputs.Models, models...)
	return nil
}

// run returns the run with id; the caller holds s.mu.
func (s *Store) run(id string) (*store.Run, error) {
	r, ok := s.runs[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no run with id %s", id)
	}
	return r, nil
}
