package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

func (s *Server) modelOf(m *store.LoggedModel) api.LoggedModel {
	w := api.LoggedModelOf(m)
	w.Info.ArtifactURI = s.shown(w.Info.ArtifactURI)
	// A model's metrics come from the run that logged them, its source run
	// in what grove and MLflow's autolog record.
	for i := range w.Data.Metrics {
		w.Data.Metrics[i].RunID = m.SourceRunID
	}
	return w
}

type modelAnswer struct {
	Model api.LoggedModel `json:"model"`
}

// loggedModelPath splits logged-models/<id>[/<sub>].
func loggedModelPath(rest string) (id, sub string, ok bool) {
	after, found := strings.CutPrefix(rest, "logged-models/")
	if !found || after == "" {
		return "", "", false
	}
	id, sub, _ = strings.Cut(after, "/")
	return id, sub, id != "" && id != "search"
}

// serveLoggedModel answers the routes under logged-models/<id>.
func (s *Server) serveLoggedModel(w http.ResponseWriter, r *http.Request, id, sub string) {
	var h handler
	switch {
	case sub == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			m, err := s.st.GetLoggedModel(ctx, id)
			if err != nil {
				return nil, err
			}
			return modelAnswer{s.modelOf(m)}, nil
		}
	case sub == "" && r.Method == http.MethodPatch:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Status string `json:"status"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			if err := need("status", req.Status); err != nil {
				return nil, err
			}
			st := api.ModelStatus(req.Status)
			if st == 0 {
				return nil, invalid("Invalid value %q for parameter 'status' supplied", req.Status)
			}
			m, err := s.st.FinalizeLoggedModel(ctx, id, st)
			if err != nil {
				return nil, err
			}
			return modelAnswer{s.modelOf(m)}, nil
		}
	case sub == "params" && r.Method == http.MethodPost:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Params []api.Param `json:"params"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			for _, p := range req.Params {
				if err := store.CheckParam(p.Key, p.Value); err != nil {
					return nil, err
				}
			}
			m, err := s.manager("logging logged-model params")
			if err != nil {
				return nil, err
			}
			return empty{}, m.LogLoggedModelParams(ctx, id, api.StoreParams(req.Params))
		}
	case sub == "tags" && r.Method == http.MethodPatch:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Tags []api.Tag `json:"tags"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			for _, t := range req.Tags {
				if err := store.CheckTag(t.Key, t.Value); err != nil {
					return nil, err
				}
			}
			m, err := s.manager("setting logged-model tags")
			if err != nil {
				return nil, err
			}
			return empty{}, m.SetLoggedModelTags(ctx, id, api.StoreTags(req.Tags))
		}
	case strings.HasPrefix(sub, "tags/") && r.Method == http.MethodDelete:
		key := strings.TrimPrefix(sub, "tags/")
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			m, err := s.manager("deleting logged-model tags")
			if err != nil {
				return nil, err
			}
			return empty{}, m.DeleteLoggedModelTag(ctx, id, key)
		}
	case sub == "artifacts/directories" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Path string `json:"artifact_directory_path"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			m, err := s.st.GetLoggedModel(ctx, id)
			if err != nil {
				return nil, err
			}
			return s.list(ctx, m.ArtifactLocation, req.Path)
		}
	case sub == "artifacts/files" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Path string `json:"artifact_file_path"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			if err := need("artifact_file_path", req.Path); err != nil {
				return nil, err
			}
			clean, err := cleanArtifactPath(req.Path)
			if err != nil {
				return nil, err
			}
			m, err := s.st.GetLoggedModel(ctx, id)
			if err != nil {
				return nil, err
			}
			return nil, s.download(ctx, w, r, m.ArtifactLocation, clean)
		}
	}
	if h == nil && sub == "" && r.Method == http.MethodDelete {
		writeError(w, api.NewError(api.CodeNotImplemented, "deleting logged models is not supported by this server"), http.StatusNotImplemented)
		return
	}
	if h == nil {
		s.notFound(w, r)
		return
	}
	s.serve(w, r, map[string]handler{r.Method: h})
}

func (s *Server) createLoggedModel(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		ExperimentID string      `json:"experiment_id"`
		Name         string      `json:"name"`
		ModelType    string      `json:"model_type"`
		SourceRunID  string      `json:"source_run_id"`
		Params       []api.Param `json:"params"`
		Tags         []api.Tag   `json:"tags"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if err := need("experiment_id", req.ExperimentID); err != nil {
		return nil, err
	}
	m, err := s.st.CreateLoggedModel(ctx, store.CreateLoggedModelRequest{ExperimentID: req.ExperimentID, Name: req.Name,
		ModelType: req.ModelType, SourceRunID: req.SourceRunID, Params: api.StoreParams(req.Params), Tags: api.StoreTags(req.Tags)})
	if err != nil {
		return nil, err
	}
	return modelAnswer{s.modelOf(m)}, nil
}

func (s *Server) searchLoggedModels(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		ExperimentIDs []string `json:"experiment_ids"`
		Filter        string   `json:"filter"`
		MaxResults    *api.Int `json:"max_results"`
		OrderBy       []struct {
			FieldName string `json:"field_name"`
			Ascending *bool  `json:"ascending"`
		} `json:"order_by"`
		PageToken string `json:"page_token"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.ExperimentIDs) == 0 {
		return nil, missing("experiment_ids")
	}
	m, err := s.manager("searching logged models")
	if err != nil {
		return nil, err
	}
	q := store.LoggedModelQuery{ExperimentIDs: req.ExperimentIDs, PageToken: req.PageToken, Filter: req.Filter}
	for _, o := range req.OrderBy {
		if o.FieldName == "" {
			return nil, invalid("`field_name` in the `order_by` clause must be specified.")
		}
		// MLflow's order is ascending unless told otherwise.
		q.OrderBy = append(q.OrderBy, store.LoggedModelOrder{Field: o.FieldName, Ascending: o.Ascending == nil || *o.Ascending})
	}
	if req.MaxResults != nil {
		q.MaxResults = int(*req.MaxResults)
		if err := checkMaxResults(q.MaxResults); err != nil {
			return nil, err
		}
	}
	models, next, err := m.SearchLoggedModels(ctx, q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Models        []api.LoggedModel `json:"models,omitempty"`
		NextPageToken string            `json:"next_page_token,omitempty"`
	}{NextPageToken: next}
	for _, lm := range models {
		out.Models = append(out.Models, s.modelOf(lm))
	}
	return out, nil
}
