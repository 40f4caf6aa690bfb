package memstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// CreateLoggedModel implements store.Store.
func (s *Store) CreateLoggedModel(_ context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.experiment(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	name := cmp.Or(req.Name, store.GenerateRunName())
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d", e.ID, name, len(s.models)))
	id := "m-" + hex.EncodeToString(sum[:16])
	now := time.Now().UnixMilli()
	lm := &store.LoggedModel{CreationTime: now, LastUpdatedTime: now,
		ModelID: id, ExperimentID: e.ID, Name: name,
		ArtifactLocation: e.ArtifactLocation + "/models/" + id + "/artifacts",
		Status:           store.ModelPending, ModelType: req.ModelType, SourceRunID: req.SourceRunID,
		Params: slices.Clone(req.Params), Tags: slices.Clone(req.Tags),
	}
	s.models[id] = lm
	return copyModel(lm), nil
}

func copyModel(lm *store.LoggedModel) *store.LoggedModel {
	c := *lm
	c.Params = slices.Clone(lm.Params)
	c.Tags = slices.Clone(lm.Tags)
	c.Metrics = slices.Clone(lm.Metrics)
	return &c
}

// FinalizeLoggedModel implements store.Store.
func (s *Store) FinalizeLoggedModel(_ context.Context, id string, status store.ModelStatus) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no logged model with id %s", id)
	}
	lm.Status = status
	return copyModel(lm), nil
}

// GetLoggedModel implements store.Store.
func (s *Store) GetLoggedModel(_ context.Context, id string) (*store.LoggedModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lm, ok := s.models[id]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no logged model with id %s", id)
	}
	return copyModel(lm), nil
}
