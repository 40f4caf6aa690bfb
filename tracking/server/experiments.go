package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

func (s *Server) experimentOf(e *store.Experiment) api.Experiment {
	w := api.ExperimentOf(e)
	w.ArtifactLocation = s.shown(w.ArtifactLocation)
	return w
}

func (s *Server) createExperiment(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		Name             string    `json:"name"`
		ArtifactLocation string    `json:"artifact_location"`
		Tags             []api.Tag `json:"tags"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("name", req.Name); err != nil {
		return nil, err
	}
	if err := store.CheckExperimentName(req.Name); err != nil {
		return nil, err
	}
	for _, t := range req.Tags {
		if err := store.CheckKey("tag", t.Key); err != nil {
			return nil, err
		}
	}
	loc, err := s.stored(req.ArtifactLocation)
	if err != nil {
		return nil, err
	}
	id, err := s.st.CreateExperiment(ctx, req.Name, loc, api.StoreTags(req.Tags))
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, store.Errorf(store.CodeAlreadyExists, "Experiment(name=%s) already exists.", req.Name)
	}
	if err != nil {
		return nil, err
	}
	return struct {
		ExperimentID string `json:"experiment_id"`
	}{id}, nil
}

type experimentAnswer struct {
	Experiment api.Experiment `json:"experiment"`
}

func (s *Server) getExperiment(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_id", req.ExperimentID); err != nil {
		return nil, err
	}
	e, err := s.st.GetExperiment(ctx, req.ExperimentID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidParameter) {
			return nil, store.Errorf(store.CodeNotFound, "No Experiment with id=%s exists", req.ExperimentID)
		}
		return nil, err
	}
	return experimentAnswer{s.experimentOf(e)}, nil
}

func (s *Server) getExperimentByName(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		ExperimentName string `json:"experiment_name"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_name", req.ExperimentName); err != nil {
		return nil, err
	}
	e, err := s.st.GetExperimentByName(ctx, req.ExperimentName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Errorf(store.CodeNotFound, "Could not find experiment with name '%s'", req.ExperimentName)
	}
	if err != nil {
		return nil, err
	}
	return experimentAnswer{s.experimentOf(e)}, nil
}

func (s *Server) searchExperiments(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		MaxResults *api.Int `json:"max_results"`
		PageToken  string   `json:"page_token"`
		Filter     string   `json:"filter"`
		OrderBy    []string `json:"order_by"`
		ViewType   any      `json:"view_type"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	m, err := s.manager("searching experiments")
	if err != nil {
		return nil, err
	}
	q := store.ExperimentQuery{MaxResults: 1000, PageToken: req.PageToken, Filter: req.Filter}
	if req.MaxResults != nil {
		q.MaxResults = int(*req.MaxResults)
		if err := checkMaxResults(q.MaxResults); err != nil {
			return nil, err
		}
	}
	if q.ViewType, err = viewType(req.ViewType); err != nil {
		return nil, err
	}
	q.OrderBy = req.OrderBy
	exps, next, err := m.SearchExperiments(ctx, q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Experiments   []api.Experiment `json:"experiments,omitempty"`
		NextPageToken string           `json:"next_page_token,omitempty"`
	}{NextPageToken: next}
	for _, e := range exps {
		out.Experiments = append(out.Experiments, s.experimentOf(e))
	}
	return out, nil
}

// checkMaxResults applies MLflow's bounds on a search's page size.
func checkMaxResults(n int) error {
	if n < 1 {
		return invalid("Invalid value %d for parameter 'max_results' supplied. It must be a positive integer", n)
	}
	if n > store.MaxSearchResults {
		return invalid("Invalid value %d for parameter 'max_results' supplied. It must be at most %d", n, store.MaxSearchResults)
	}
	return nil
}

// viewType reads a view type sent as a name or a number.
func viewType(v any) (store.ViewType, error) {
	switch v := v.(type) {
	case nil:
		return store.ViewActiveOnly, nil
	case string:
		return store.ParseViewType(v)
	case float64:
		return store.ParseViewType(strconv.FormatFloat(v, 'f', -1, 64))
	}
	return 0, invalid("Invalid view_type %v", v)
}

type experimentTagRequest struct {
	ExperimentID string `json:"experiment_id"`
	Key          string `json:"key"`
	Value        string `json:"value"`
}

func (s *Server) setExperimentTag(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req experimentTagRequest
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_id", req.ExperimentID); err != nil {
		return nil, err
	}
	if err := need("key", req.Key); err != nil {
		return nil, err
	}
	if err := store.CheckKey("tag", req.Key); err != nil {
		return nil, err
	}
	return empty{}, s.st.SetExperimentTag(ctx, req.ExperimentID, req.Key, req.Value)
}

func (s *Server) deleteExperimentTag(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req experimentTagRequest
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_id", req.ExperimentID); err != nil {
		return nil, err
	}
	if err := need("key", req.Key); err != nil {
		return nil, err
	}
	m, err := s.manager("deleting experiment tags")
	if err != nil {
		return nil, err
	}
	return empty{}, m.DeleteExperimentTag(ctx, req.ExperimentID, req.Key)
}

type experimentRequest struct {
	ExperimentID string `json:"experiment_id"`
	NewName      string `json:"new_name"`
}

func (s *Server) experimentOp(r *http.Request, what string, op func(m store.Manager, req experimentRequest) error) (any, error) {
	var req experimentRequest
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_id", req.ExperimentID); err != nil {
		return nil, err
	}
	m, err := s.manager(what)
	if err != nil {
		return nil, err
	}
	return empty{}, op(m, req)
}

func (s *Server) deleteExperiment(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	return s.experimentOp(r, "deleting experiments", func(m store.Manager, req experimentRequest) error {
		return m.DeleteExperiment(ctx, req.ExperimentID)
	})
}

func (s *Server) restoreExperiment(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	return s.experimentOp(r, "restoring experiments", func(m store.Manager, req experimentRequest) error {
		return m.RestoreExperiment(ctx, req.ExperimentID)
	})
}

func (s *Server) updateExperiment(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	return s.experimentOp(r, "renaming experiments", func(m store.Manager, req experimentRequest) error {
		if req.NewName == "" {
			return nil // MLflow's update with no new name changes nothing
		}
		if err := store.CheckExperimentName(req.NewName); err != nil {
			return err
		}
		return m.RenameExperiment(ctx, req.ExperimentID, req.NewName)
	})
}
