package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

func (s *Server) runOf(r *store.Run) api.Run {
	w := api.RunOf(r)
	w.Info.ArtifactURI = s.shown(w.Info.ArtifactURI)
	return w
}

// runRef is the run a request names, by run_id or its older twin run_uuid.
type runRef struct {
	RunID   string `json:"run_id"`
	RunUUID string `json:"run_uuid"`
}

func (rr runRef) id() (string, error) {
	if rr.RunID != "" {
		return rr.RunID, nil
	}
	if rr.RunUUID != "" {
		return rr.RunUUID, nil
	}
	return "", missing("run_id")
}

// runNotFound gives a missing run MLflow's message.
func runNotFound(id string, err error) error {
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.CodeNotFound && strings.Contains(se.Message, id) {
		return store.Errorf(store.CodeNotFound, "Run with id=%s not found", id)
	}
	return err
}

func (s *Server) createRun(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		ExperimentID string    `json:"experiment_id"`
		UserID       string    `json:"user_id"`
		RunName      string    `json:"run_name"`
		StartTime    api.Int   `json:"start_time"`
		Tags         []api.Tag `json:"tags"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if req.ExperimentID == "" {
		req.ExperimentID = "0"
	}
	for _, t := range req.Tags {
		if err := store.CheckTag(t.Key, t.Value); err != nil {
			return nil, err
		}
	}
	run, err := s.st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: req.ExperimentID, UserID: req.UserID,
		RunName: req.RunName, StartTime: int64(req.StartTime), Tags: api.StoreTags(req.Tags)})
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Errorf(store.CodeNotFound, "No Experiment with id=%s exists", req.ExperimentID)
	}
	if err != nil {
		return nil, err
	}
	wr := s.runOf(run)
	wr.Outputs = nil // runs/create leaves outputs out, as MLflow does
	return struct {
		Run api.Run `json:"run"`
	}{wr}, nil
}

func (s *Server) getRun(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req runRef
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return nil, runNotFound(id, err)
	}
	return struct {
		Run api.Run `json:"run"`
	}{s.runOf(run)}, nil
}

func (s *Server) updateRun(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Status  string   `json:"status"`
		EndTime *api.Int `json:"end_time"`
		RunName string   `json:"run_name"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	status := store.RunStatus(req.Status)
	if status == "" {
		run, err := s.st.GetRun(ctx, id)
		if err != nil {
			return nil, runNotFound(id, err)
		}
		status = run.Info.Status
	}
	if !status.Valid() {
		return nil, invalid("Invalid value %q for parameter 'status' supplied", req.Status)
	}
	var end int64
	if req.EndTime != nil {
		end = int64(*req.EndTime)
	}
	info, err := s.st.UpdateRun(ctx, id, status, end, req.RunName)
	if err != nil {
		return nil, runNotFound(id, err)
	}
	ri := api.RunInfoOf(*info)
	ri.ArtifactURI = s.shown(ri.ArtifactURI)
	return struct {
		RunInfo api.RunInfo `json:"run_info"`
	}{ri}, nil
}

func (s *Server) runOp(r *http.Request, what string, op func(m store.Manager, id string) error) (any, error) {
	var req runRef
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	m, err := s.manager(what)
	if err != nil {
		return nil, err
	}
	return empty{}, runNotFound(id, op(m, id))
}

func (s *Server) deleteRun(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	return s.runOp(r, "deleting runs", func(m store.Manager, id string) error { return m.DeleteRun(ctx, id) })
}

func (s *Server) restoreRun(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	return s.runOp(r, "restoring runs", func(m store.Manager, id string) error { return m.RestoreRun(ctx, id) })
}

func (s *Server) logBatch(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Metrics []metricIn  `json:"metrics"`
		Params  []api.Param `json:"params"`
		Tags    []api.Tag   `json:"tags"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	metrics := make([]store.Metric, len(req.Metrics))
	for i, m := range req.Metrics {
		if metrics[i], err = m.metric(fmt.Sprintf("metrics[%d].", i)); err != nil {
			return nil, err
		}
	}
	for i, p := range req.Params {
		if p.Key == "" {
			return nil, missing(fmt.Sprintf("params[%d].key", i))
		}
	}
	for i, t := range req.Tags {
		if t.Key == "" {
			return nil, missing(fmt.Sprintf("tags[%d].key", i))
		}
	}
	for _, c := range []struct {
		n, max int
		what   string
	}{
		{len(req.Metrics), store.MaxBatchMetrics, "metrics"},
		{len(req.Params), store.MaxBatchParams, "params"},
		{len(req.Tags), store.MaxBatchTags, "tags"},
	} {
		if c.n > c.max {
			return nil, invalid("A batch logging request can contain at most %d %s. Got %d %s. Please split up %s across multiple requests and try again.",
				c.max, c.what, c.n, c.what, c.what)
		}
	}
	if n := len(req.Metrics) + len(req.Params) + len(req.Tags); n > store.MaxBatchItems {
		return nil, invalid("A batch logging request can contain at most %d metrics, params, and tags in total. Got %d. Please split up across multiple requests and try again.",
			store.MaxBatchItems, n)
	}
	for _, m := range metrics {
		if err := store.CheckMetric(m); err != nil {
			return nil, err
		}
	}
	for _, p := range req.Params {
		if err := store.CheckParam(p.Key, p.Value); err != nil {
			return nil, err
		}
	}
	for _, t := range req.Tags {
		if err := store.CheckTag(t.Key, t.Value); err != nil {
			return nil, err
		}
	}
	// MLflow refuses a param key given twice in one batch, whatever the
	// values.
	seen := make(map[string]bool, len(req.Params))
	var dupes []string
	for _, p := range req.Params {
		if seen[p.Key] {
			dupes = append(dupes, p.Key)
		}
		seen[p.Key] = true
	}
	if len(dupes) > 0 {
		return nil, invalid("Duplicate parameter keys have been submitted: %q. Please ensure the request contains only one param value per param key.", dupes)
	}
	err = s.st.LogBatch(ctx, id, metrics, api.StoreParams(req.Params), api.StoreTags(req.Tags))
	return empty{}, runNotFound(id, err)
}

// metricIn is a metric point as a request carries it, with the fields
// MLflow requires told apart from zero values.
type metricIn struct {
	Key           string     `json:"key"`
	Value         *api.Float `json:"value"`
	Timestamp     *api.Int   `json:"timestamp"`
	Step          api.Int    `json:"step"`
	ModelID       string     `json:"model_id"`
	DatasetName   string     `json:"dataset_name"`
	DatasetDigest string     `json:"dataset_digest"`
}

// metric checks that key, value and timestamp are there; path names the
// point in MLflow's error ("metrics[3].").
func (m metricIn) metric(path string) (store.Metric, error) {
	switch {
	case m.Key == "":
		return store.Metric{}, missing(path + "key")
	case m.Value == nil:
		return store.Metric{}, missing(path + "value")
	case m.Timestamp == nil:
		return store.Metric{}, missing(path + "timestamp")
	}
	return store.Metric{Key: m.Key, Value: float64(*m.Value), Timestamp: int64(*m.Timestamp), Step: int64(m.Step),
		ModelID: m.ModelID, DatasetName: m.DatasetName, DatasetDigest: m.DatasetDigest}, nil
}

func (s *Server) logMetric(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		metricIn
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	m, err := req.metric("")
	if err != nil {
		return nil, err
	}
	if err := store.CheckMetric(m); err != nil {
		return nil, err
	}
	return empty{}, runNotFound(id, s.st.LogBatch(ctx, id, []store.Metric{m}, nil, nil))
}

type keyValueRequest struct {
	runRef
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (s *Server) keyValue(r *http.Request) (string, keyValueRequest, error) {
	var req keyValueRequest
	if err := s.decode(r, &req); err != nil {
		return "", req, err
	}
	id, err := req.id()
	if err != nil {
		return "", req, err
	}
	return id, req, need("key", req.Key)
}

func (s *Server) logParam(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	id, req, err := s.keyValue(r)
	if err != nil {
		return nil, err
	}
	if err := store.CheckParam(req.Key, req.Value); err != nil {
		return nil, err
	}
	return empty{}, runNotFound(id, s.st.LogBatch(ctx, id, nil, []store.Param{{Key: req.Key, Value: req.Value}}, nil))
}

func (s *Server) setTag(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	id, req, err := s.keyValue(r)
	if err != nil {
		return nil, err
	}
	if err := store.CheckTag(req.Key, req.Value); err != nil {
		return nil, err
	}
	return empty{}, runNotFound(id, s.st.LogBatch(ctx, id, nil, nil, []store.Tag{{Key: req.Key, Value: req.Value}}))
}

func (s *Server) deleteTag(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	id, req, err := s.keyValue(r)
	if err != nil {
		return nil, err
	}
	m, err := s.manager("deleting run tags")
	if err != nil {
		return nil, err
	}
	err = m.DeleteTag(ctx, id, req.Key)
	if errors.Is(err, store.ErrNotFound) {
		// Tell a missing run from a missing tag, as MLflow does.
		if _, gerr := s.st.GetRun(ctx, id); gerr != nil {
			return nil, runNotFound(id, gerr)
		}
	}
	return empty{}, err
}

func (s *Server) logInputs(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Datasets []api.DatasetInput `json:"datasets"`
		Models   []api.ModelInput   `json:"models"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	var ds []store.DatasetInput
	for i, d := range req.Datasets {
		if d.Dataset.Name == "" || d.Dataset.Digest == "" || d.Dataset.SourceType == "" || d.Dataset.Source == "" {
			return nil, invalid("datasets[%d]: a dataset needs a name, a digest, a source_type and a source", i)
		}
		ds = append(ds, store.DatasetInput{Dataset: store.Dataset(d.Dataset), Tags: api.StoreTags(d.Tags)})
	}
	var models []store.ModelIO
	for _, m := range req.Models {
		models = append(models, store.ModelIO{ModelID: m.ModelID})
	}
	if len(ds) == 0 && len(models) == 0 {
		if _, err := s.st.GetRun(ctx, id); err != nil {
			return nil, runNotFound(id, err)
		}
		return empty{}, nil
	}
	return empty{}, runNotFound(id, s.st.LogInputs(ctx, id, ds, models))
}

func (s *Server) logOutputs(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Models []api.ModelOutput `json:"models"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	if len(req.Models) == 0 {
		return nil, missing("models")
	}
	var models []store.ModelIO
	for _, m := range req.Models {
		models = append(models, store.ModelIO{ModelID: m.ModelID, Step: int64(m.Step)})
	}
	return empty{}, runNotFound(id, s.st.LogOutputs(ctx, id, models))
}

// searchRequest is runs/search's body.
type searchRequest struct {
	ExperimentIDs []string `json:"experiment_ids"`
	Filter        string   `json:"filter"`
	RunViewType   any      `json:"run_view_type"`
	MaxResults    *api.Int `json:"max_results"`
	OrderBy       []string `json:"order_by"`
	PageToken     string   `json:"page_token"`
}

func (s *Server) searchRuns(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req searchRequest
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	q, err := runQuery(req)
	if err != nil {
		return nil, err
	}
	runs, next, err := s.st.SearchRuns(ctx, q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Runs          []api.Run `json:"runs,omitempty"`
		NextPageToken string    `json:"next_page_token,omitempty"`
	}{NextPageToken: next}
	for _, run := range runs {
		out.Runs = append(out.Runs, s.runOf(run))
	}
	return out, nil
}

// runQuery turns runs/search's request into the store's query, with
// MLflow's bounds on max_results.
func runQuery(req searchRequest) (store.RunQuery, error) {
	q := store.RunQuery{ExperimentIDs: req.ExperimentIDs, MaxResults: 1000, PageToken: req.PageToken}
	if req.MaxResults != nil {
		q.MaxResults = int(*req.MaxResults)
		if err := checkMaxResults(q.MaxResults); err != nil {
			return q, err
		}
	}
	view, err := viewType(req.RunViewType)
	if err != nil {
		return q, err
	}
	// The filter and order are MLflow's grammar, which every store parses
	// with tracking/search and answers with MLflow's errors.
	q.ViewType, q.Filter, q.OrderBy = view, req.Filter, req.OrderBy
	return q, nil
}
