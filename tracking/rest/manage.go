package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// The operations of store.Manager, over the endpoints MLflow's server
// registers for them, so that a remote server can be listed, cleaned up and
// synced from like a local store.

var _ store.Manager = (*Store)(nil)

const (
	epRunDelete           = "/api/2.0/mlflow/runs/delete"
	epRunRestore          = "/api/2.0/mlflow/runs/restore"
	epRunDeleteTag        = "/api/2.0/mlflow/runs/delete-tag"
	epExperimentDelete    = "/api/2.0/mlflow/experiments/delete"
	epExperimentRestore   = "/api/2.0/mlflow/experiments/restore"
	epExperimentUpdate    = "/api/2.0/mlflow/experiments/update"
	epExperimentDeleteTag = "/api/2.0/mlflow/experiments/delete-experiment-tag"
	epExperimentSearch    = "/api/2.0/mlflow/experiments/search"
	epLoggedModelSearch   = "/api/2.0/mlflow/logged-models/search"
)

// post sends a JSON request whose answer carries nothing grove reads.
func (s *Store) post(ctx context.Context, method, ep, what string, idempotent bool, body any) error {
	c, err := jsonCall(method, ep, what, idempotent, body)
	if err != nil {
		return err
	}
	return s.do(ctx, c, nil)
}

// A delete or restore leaves the server as it was after the first time it
// is carried out, so all of them are sent again after any failure that may
// pass. When the first attempt was applied and its answer lost, MLflow may
// refuse the second: a run tag already removed is not found, and that is
// what the caller sees; an experiment already deleted (or restored) is
// looked up, and the call succeeds when it is in the stage asked for.

type runRequest struct {
	RunID string `json:"run_id"`
}

// DeleteRun marks a run deleted.
func (s *Store) DeleteRun(ctx context.Context, runID string) error {
	return s.post(ctx, http.MethodPost, epRunDelete, fmt.Sprintf("delete run %s", runID), true, runRequest{runID})
}

// RestoreRun makes a deleted run active again.
func (s *Store) RestoreRun(ctx context.Context, runID string) error {
	return s.post(ctx, http.MethodPost, epRunRestore, fmt.Sprintf("restore run %s", runID), true, runRequest{runID})
}

// DeleteTag removes a tag from an active run.
func (s *Store) DeleteTag(ctx context.Context, runID, key string) error {
	return s.post(ctx, http.MethodPost, epRunDeleteTag, fmt.Sprintf("delete tag %q of run %s", key, runID), true,
		struct {
			RunID string `json:"run_id"`
			Key   string `json:"key"`
		}{runID, key})
}

type experimentRequest struct {
	ExperimentID string `json:"experiment_id"`
	NewName      string `json:"new_name,omitempty"`
}

// DeleteExperiment marks an experiment and its runs deleted.
func (s *Store) DeleteExperiment(ctx context.Context, id string) error {
	return s.experimentStage(ctx, epExperimentDelete, "delete", id, store.LifecycleDeleted)
}

// RestoreExperiment makes a deleted experiment and its runs active again.
func (s *Store) RestoreExperiment(ctx context.Context, id string) error {
	return s.experimentStage(ctx, epExperimentRestore, "restore", id, store.LifecycleActive)
}

func (s *Store) experimentStage(ctx context.Context, ep, verb, id, stage string) error {
	err := s.post(ctx, http.MethodPost, ep, fmt.Sprintf("%s experiment %s", verb, id), true,
		experimentRequest{ExperimentID: id})
	var re *Error
	if err == nil || !errors.As(err, &re) || re.Attempts < 2 || !errors.Is(err, store.ErrInvalidParameter) {
		return err
	}
	// MLflow refuses to delete a deleted experiment or restore an active
	// one: an earlier attempt may have done the work.
	if e, gerr := s.GetExperiment(ctx, id); gerr == nil && e.LifecycleStage == stage {
		return nil
	}
	return err
}

// RenameExperiment gives an active experiment a new name. Renaming twice to
// the same name is harmless, so the request is sent again after failures.
func (s *Store) RenameExperiment(ctx context.Context, id, name string) error {
	if name == "" {
		// MLflow's update without a name changes nothing; the store's
		// contract asks for a name.
		return store.Errorf(store.CodeInvalidParameter, "rest: the new name of experiment %s is empty", id)
	}
	return s.post(ctx, http.MethodPost, epExperimentUpdate, fmt.Sprintf("rename experiment %s to %q", id, name), true,
		experimentRequest{ExperimentID: id, NewName: name})
}

// DeleteExperimentTag removes a tag from an active experiment.
func (s *Store) DeleteExperimentTag(ctx context.Context, id, key string) error {
	return s.post(ctx, http.MethodPost, epExperimentDeleteTag, fmt.Sprintf("delete tag %q of experiment %s", key, id), true,
		struct {
			ExperimentID string `json:"experiment_id"`
			Key          string `json:"key"`
		}{id, key})
}

// SearchExperiments lists experiments a page at a time; the server parses
// and answers the filter and the order.
func (s *Store) SearchExperiments(ctx context.Context, q store.ExperimentQuery) ([]*store.Experiment, string, error) {
	max := q.MaxResults
	if max <= 0 {
		max = 1000
	}
	view := ""
	if q.ViewType != 0 {
		view = q.ViewType.String()
	}
	c, err := jsonCall(http.MethodPost, epExperimentSearch, "search experiments", true, struct {
		MaxResults int      `json:"max_results"`
		PageToken  string   `json:"page_token,omitempty"`
		Filter     string   `json:"filter,omitempty"`
		OrderBy    []string `json:"order_by,omitempty"`
		ViewType   string   `json:"view_type,omitempty"`
	}{max, q.PageToken, q.Filter, q.OrderBy, view})
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Experiments   []*api.Experiment `json:"experiments"`
		NextPageToken string            `json:"next_page_token"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, "", err
	}
	exps := make([]*store.Experiment, 0, len(out.Experiments))
	for _, e := range out.Experiments {
		if e != nil {
			exps = append(exps, e.Entity())
		}
	}
	return exps, out.NextPageToken, nil
}

// SearchLoggedModels lists the logged models of experiments a page at a
// time, newest first unless q orders them; the server evaluates q's filter.
func (s *Store) SearchLoggedModels(ctx context.Context, q store.LoggedModelQuery) ([]*store.LoggedModel, string, error) {
	type order struct {
		FieldName string `json:"field_name"`
		Ascending bool   `json:"ascending"`
	}
	var orders []order
	for _, o := range q.OrderBy {
		orders = append(orders, order{o.Field, o.Ascending})
	}
	c, err := jsonCall(http.MethodPost, epLoggedModelSearch,
		fmt.Sprintf("search logged models of experiments %v", q.ExperimentIDs), true, struct {
			ExperimentIDs []string `json:"experiment_ids"`
			MaxResults    int      `json:"max_results,omitempty"`
			PageToken     string   `json:"page_token,omitempty"`
			Filter        string   `json:"filter,omitempty"`
			OrderBy       []order  `json:"order_by,omitempty"`
		}{q.ExperimentIDs, q.MaxResults, q.PageToken, q.Filter, orders})
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Models        []*api.LoggedModel `json:"models"`
		NextPageToken string             `json:"next_page_token"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, "", err
	}
	models := make([]*store.LoggedModel, 0, len(out.Models))
	for _, m := range out.Models {
		if m != nil {
			models = append(models, m.Entity())
		}
	}
	return models, out.NextPageToken, nil
}

// LogLoggedModelParams adds params to a logged model. MLflow adds a row per
// param sent, so the request is sent again only when it surely did not
// reach the server.
func (s *Store) LogLoggedModelParams(ctx context.Context, modelID string, params []store.Param) error {
	if err := checkModelID(modelID); err != nil {
		return err
	}
	return s.post(ctx, http.MethodPost, epLoggedModels+"/"+modelID+"/params",
		fmt.Sprintf("log %s to logged model %s", count(len(params), "param"), modelID), false,
		struct {
			ModelID string      `json:"model_id"`
			Params  []api.Param `json:"params"`
		}{modelID, api.ParamsOf(params)})
}

// SetLoggedModelTags sets or replaces tags of a logged model.
func (s *Store) SetLoggedModelTags(ctx context.Context, modelID string, tags []store.Tag) error {
	if err := checkModelID(modelID); err != nil {
		return err
	}
	return s.post(ctx, http.MethodPatch, epLoggedModels+"/"+modelID+"/tags",
		fmt.Sprintf("set %s on logged model %s", count(len(tags), "tag"), modelID), true,
		struct {
			ModelID string    `json:"model_id"`
			Tags    []api.Tag `json:"tags"`
		}{modelID, api.TagsOf(tags)})
}

// DeleteLoggedModelTag removes a tag from a logged model. The key goes in
// the URL path, where the client escapes what a path cannot hold.
func (s *Store) DeleteLoggedModelTag(ctx context.Context, modelID, key string) error {
	if err := checkModelID(modelID); err != nil {
		return err
	}
	if key == "" {
		return store.Errorf(store.CodeInvalidParameter, "rest: the tag key to delete from logged model %s is empty", modelID)
	}
	c := &call{method: http.MethodDelete, endpoint: epLoggedModels + "/" + modelID + "/tags/" + key,
		what: fmt.Sprintf("delete tag %q of logged model %s", key, modelID), idempotent: true}
	return s.do(ctx, c, nil)
}
