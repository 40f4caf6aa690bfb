package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/store"
)

// defaultPageSize is MLflow's SearchRuns page size when none is asked for.
const defaultPageSize = 1000

// SearchRuns implements store.Store with MLflow's search: q's filter and
// order as package search evaluates them, its view type, and MLflow's
// offset page tokens.
func (s *Store) SearchRuns(_ context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	if len(q.ExperimentIDs) == 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "search runs needs at least one experiment id")
	}
	if q.MaxResults < 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "max results %d is negative", q.MaxResults)
	}
	query, err := search.ParseQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", err
	}
	start, err := search.DecodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*store.Run
	for _, r := range s.runs {
		if !slices.Contains(q.ExperimentIDs, r.Info.ExperimentID) || !q.ViewType.Sees(r.Info.LifecycleStage) {
			continue
		}
		if c := s.copyRun(r); query.Match(c) {
			all = append(all, c)
		}
	}
	query.Sort(all)
	size := cmp.Or(q.MaxResults, defaultPageSize)
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	start = min(start, len(all))
	end := min(start+size, len(all))
	next := ""
	if end < len(all) {
		next = search.EncodePageToken(end)
	}
	return all[start:end], next, nil
}
