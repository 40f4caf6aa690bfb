package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// The endpoints grove uses, as the server registers them.
const (
	epExperimentCreate    = "/api/2.0/mlflow/experiments/create"
	epExperimentGet       = "/api/2.0/mlflow/experiments/get"
	epExperimentGetByName = "/api/2.0/mlflow/experiments/get-by-name"
	epExperimentSetTag    = "/api/2.0/mlflow/experiments/set-experiment-tag"
	epRunCreate           = "/api/2.0/mlflow/runs/create"
	epRunUpdate           = "/api/2.0/mlflow/runs/update"
	epRunGet              = "/api/2.0/mlflow/runs/get"
	epRunSearch           = "/api/2.0/mlflow/runs/search"
	epLogBatch            = "/api/2.0/mlflow/runs/log-batch"
	epLogInputs           = "/api/2.0/mlflow/runs/log-inputs"
	epLogOutputs          = "/api/2.0/mlflow/runs/outputs"
	epMetricHistory       = "/api/2.0/mlflow/metrics/get-history"
	epLoggedModels        = "/api/2.0/mlflow/logged-models"
	epArtifacts           = "/api/2.0/mlflow-artifacts/artifacts"
)

// historyPageSize is the max_results sent with every get-history request,
// the Python client's value. Without it the server of MLflow 3.11 returns no
// points and a page token that never advances (mlflow/mlflow#23916).
const historyPageSize = 25000

// CreateExperiment creates an experiment. The request is not idempotent, so
// it is retried only when it surely did not reach the server.
func (s *Store) CreateExperiment(ctx context.Context, name, artifactLocation string, tags []store.Tag) (string, error) {
	c, err := jsonCall(http.MethodPost, epExperimentCreate, fmt.Sprintf("create experiment %q", name), false, struct {
		Name             string    `json:"name"`
		ArtifactLocation string    `json:"artifact_location,omitempty"`
		Tags             []api.Tag `json:"tags,omitempty"`
	}{name, artifactLocation, api.TagsOf(tags)})
	if err != nil {
		return "", err
	}
	var out struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return "", err
	}
	return out.ExperimentID, nil
}

// GetExperiment returns the experiment with id.
func (s *Store) GetExperiment(ctx context.Context, id string) (*store.Experiment, error) {
	return s.getExperiment(ctx, epExperimentGet, url.Values{"experiment_id": {id}},
		fmt.Sprintf("get experiment %s", id))
}

// GetExperimentByName returns the experiment called name.
func (s *Store) GetExperimentByName(ctx context.Context, name string) (*store.Experiment, error) {
	return s.getExperiment(ctx, epExperimentGetByName, url.Values{"experiment_name": {name}},
		fmt.Sprintf("get experiment %q", name))
}

func (s *Store) getExperiment(ctx context.Context, ep string, q url.Values, what string) (*store.Experiment, error) {
	var out struct {
		Experiment *api.Experiment `json:"experiment"`
	}
	c := &call{method: http.MethodGet, endpoint: ep, query: q, what: what, idempotent: true}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, err
	}
	if out.Experiment == nil {
		return nil, s.malformed(c, "no experiment in the answer")
	}
	return out.Experiment.Entity(), nil
}

// SetExperimentTag sets a tag on an experiment.
func (s *Store) SetExperimentTag(ctx context.Context, experimentID, key, value string) error {
	c, err := jsonCall(http.MethodPost, epExperimentSetTag,
		fmt.Sprintf("set tag %q on experiment %s", key, experimentID), true,
		struct {
			ExperimentID string `json:"experiment_id"`
			Key          string `json:"key"`
			Value        string `json:"value"`
		}{experimentID, key, value})
	if err != nil {
		return err
	}
	return s.do(ctx, c, nil)
}

// CreateRun starts a run; the server sets its id, artifact URI and, when
// req.RunName is empty, a generated name. Not idempotent: retried only when
// the request surely did not reach the server.
func (s *Store) CreateRun(ctx context.Context, req store.CreateRunRequest) (*store.Run, error) {
	c, err := jsonCall(http.MethodPost, epRunCreate,
		fmt.Sprintf("create a run in experiment %s", req.ExperimentID), false,
		struct {
			ExperimentID string    `json:"experiment_id"`
			UserID       string    `json:"user_id,omitempty"`
			RunName      string    `json:"run_name,omitempty"`
			StartTime    int64     `json:"start_time"`
			Tags         []api.Tag `json:"tags,omitempty"`
		}{req.ExperimentID, req.UserID, req.RunName, req.StartTime, api.TagsOf(req.Tags)})
	if err != nil {
		return nil, err
	}
	return s.runAnswer(ctx, c)
}

func (s *Store) runAnswer(ctx context.Context, c *call) (*store.Run, error) {
	var out struct {
		Run *api.Run `json:"run"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, err
	}
	if out.Run == nil {
		return nil, s.malformed(c, "no run in the answer")
	}
	return out.Run.Entity(), nil
}

// UpdateRun sets a run's status, end time (0: unchanged) and name (""
// unchanged).
func (s *Store) UpdateRun(ctx context.Context, runID string, status store.RunStatus, endTime int64, runName string) (*store.RunInfo, error) {
	if !status.Valid() {
		return nil, store.Errorf(store.CodeInvalidParameter, "rest: run status %q is not one of MLflow's", status)
	}
	c, err := jsonCall(http.MethodPost, epRunUpdate,
		fmt.Sprintf("set run %s to %s", runID, status), true,
		struct {
			RunID   string `json:"run_id"`
			RunUUID string `json:"run_uuid"`
			Status  string `json:"status"`
			EndTime int64  `json:"end_time,omitempty"`
			RunName string `json:"run_name,omitempty"`
		}{runID, runID, string(status), endTime, runName})
	if err != nil {
		return nil, err
	}
	var out struct {
		RunInfo *api.RunInfo `json:"run_info"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, err
	}
	if out.RunInfo == nil {
		return nil, s.malformed(c, "no run_info in the answer")
	}
	info := out.RunInfo.Entity()
	return &info, nil
}

// GetRun returns a run with everything it recorded.
func (s *Store) GetRun(ctx context.Context, runID string) (*store.Run, error) {
	// Both names of the id, as MLflow's Python client sends them, so that
	// older servers that read only run_uuid understand the request.
	c := &call{method: http.MethodGet, endpoint: epRunGet,
		query: url.Values{"run_uuid": {runID}, "run_id": {runID}},
		what:  fmt.Sprintf("get run %s", runID), idempotent: true}
	return s.runAnswer(ctx, c)
}

// SearchRuns lists the runs of experiments that q's filter selects, in its
// order (newest first by default), one page at a time; the server parses
// and answers the filter.
func (s *Store) SearchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	max := q.MaxResults
	if max <= 0 {
		max = 1000
	}
	order := q.OrderBy
	if len(order) == 0 {
		order = []string{"attributes.start_time DESC"}
	}
	view := ""
	if q.ViewType != 0 {
		view = q.ViewType.String()
	}
	c, err := jsonCall(http.MethodPost, epRunSearch,
		fmt.Sprintf("search runs of experiments %v", q.ExperimentIDs), true,
		struct {
			ExperimentIDs []string `json:"experiment_ids"`
			Filter        string   `json:"filter,omitempty"`
			ViewType      string   `json:"run_view_type,omitempty"`
			MaxResults    int      `json:"max_results"`
			OrderBy       []string `json:"order_by"`
			PageToken     string   `json:"page_token,omitempty"`
		}{q.ExperimentIDs, q.Filter, view, max, order, q.PageToken})
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Runs          []*api.Run `json:"runs"`
		NextPageToken string     `json:"next_page_token"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, "", err
	}
	runs := make([]*store.Run, 0, len(out.Runs))
	for _, r := range out.Runs {
		if r != nil {
			runs = append(runs, r.Entity())
		}
	}
	return runs, out.NextPageToken, nil
}

// LogBatch records metrics, params and tags. A batch over MLflow's limits is
// sent as several requests, each within them, params first (a run's params
// say how it was trained; they matter most when the server fails midway).
//
// A log-batch is retried after any failure that may pass, including one
// after which the server may have applied it: MLflow ignores a metric point
// equal in key, value, timestamp and step to one it has (the point is the
// primary key of its metrics table, and its store drops the duplicates), a
// param logged again with the same value and a tag set again to the same
// value. The retried request carries the same bytes, so nothing is logged
// twice.
func (s *Store) LogBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	for _, sb := range store.SplitBatch(metrics, params, tags) {
		b := batch(sb)
		c, err := jsonCall(http.MethodPost, epLogBatch, b.what(runID), true, struct {
			RunID   string       `json:"run_id"`
			Metrics []api.Metric `json:"metrics,omitempty"`
			Params  []api.Param  `json:"params,omitempty"`
			Tags    []api.Tag    `json:"tags,omitempty"`
		}{runID, api.MetricsOf(b.Metrics), api.ParamsOf(b.Params), api.TagsOf(b.Tags)})
		if err != nil {
			return err
		}
		if err := s.do(ctx, c, nil); err != nil {
			return err
		}
	}
	return nil
}

// batch is one LogBatch request, named in errors by what it carries.
type batch store.Batch

func (b batch) what(runID string) string {
	var parts []string
	for _, p := range []struct {
		n    int
		noun string
	}{{len(b.Metrics), "metric point"}, {len(b.Params), "param"}, {len(b.Tags), "tag"}} {
		if p.n > 0 {
			parts = append(parts, count(p.n, p.noun))
		}
	}
	list := strings.Join(parts, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " and " + list[i+2:]
	}
	return fmt.Sprintf("log %s to run %s", list, runID)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// GetMetricHistory returns every point of a run's metric in
// store.ComparePoints order, following the server's pages.
func (s *Store) GetMetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	var all []store.Metric
	token := ""
	seen := map[string]bool{}
	for {
		q := url.Values{"run_id": {runID}, "metric_key": {key}, "max_results": {strconv.Itoa(historyPageSize)}}
		if token != "" {
			q.Set("page_token", token)
		}
		c := &call{method: http.MethodGet, endpoint: epMetricHistory, query: q,
			what: fmt.Sprintf("get the history of metric %q of run %s", key, runID), idempotent: true}
		var out struct {
			Metrics       []api.Metric `json:"metrics"`
			NextPageToken string       `json:"next_page_token"`
		}
		if err := s.do(ctx, c, &out); err != nil {
			return nil, err
		}
		all = append(all, api.StoreMetrics(out.Metrics)...)
		if out.NextPageToken == "" {
			break
		}
		// A page token that comes back, or a page with a token but no points,
		// would loop for ever (the server bug above looks like this).
		if seen[out.NextPageToken] || len(out.Metrics) == 0 {
			return nil, s.malformed(c, "the server's page token does not advance")
		}
		seen[out.NextPageToken] = true
		token = out.NextPageToken
	}
	slices.SortStableFunc(all, store.ComparePoints)
	return all, nil
}

// LogInputs links datasets and models to a run. MLflow links a dataset to
// a run once however often it is sent, but adds a row for every model sent,
// so the request is retried after an ambiguous failure only when it carries
// no models.
func (s *Store) LogInputs(ctx context.Context, runID string, datasets []store.DatasetInput, models []store.ModelIO) error {
	if len(datasets) == 0 && len(models) == 0 {
		return nil
	}
	body := struct {
		RunID    string             `json:"run_id"`
		Datasets []api.DatasetInput `json:"datasets,omitempty"`
		Models   []api.ModelInput   `json:"models,omitempty"`
	}{RunID: runID}
	for _, d := range datasets {
		body.Datasets = append(body.Datasets, api.DatasetInput{Tags: api.TagsOf(d.Tags), Dataset: api.Dataset(d.Dataset)})
	}
	for _, m := range models {
		body.Models = append(body.Models, api.ModelInput{ModelID: m.ModelID})
	}
	c, err := jsonCall(http.MethodPost, epLogInputs,
		fmt.Sprintf("log %s and %s as inputs of run %s", count(len(datasets), "dataset"), count(len(models), "model"), runID),
		len(models) == 0, body)
	if err != nil {
		return err
	}
	return s.do(ctx, c, nil)
}

// LogOutputs links models a run produced. MLflow adds a row per request, so
// it is retried only when the request surely did not reach the server.
func (s *Store) LogOutputs(ctx context.Context, runID string, models []store.ModelIO) error {
	if len(models) == 0 {
		return nil
	}
	body := struct {
		RunID  string            `json:"run_id"`
		Models []api.ModelOutput `json:"models"`
	}{RunID: runID}
	for _, m := range models {
		body.Models = append(body.Models, api.ModelOutput{ModelID: m.ModelID, Step: api.Int(m.Step)})
	}
	c, err := jsonCall(http.MethodPost, epLogOutputs,
		fmt.Sprintf("log %s as outputs of run %s", count(len(models), "model"), runID), false, body)
	if err != nil {
		return err
	}
	return s.do(ctx, c, nil)
}

// CreateLoggedModel creates a logged model in status LOGGED_MODEL_PENDING.
// Not idempotent: retried only when the request surely did not reach the
// server.
func (s *Store) CreateLoggedModel(ctx context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	c, err := jsonCall(http.MethodPost, epLoggedModels,
		fmt.Sprintf("create logged model %q in experiment %s", req.Name, req.ExperimentID), false,
		struct {
			ExperimentID string      `json:"experiment_id"`
			Name         string      `json:"name,omitempty"`
			ModelType    string      `json:"model_type,omitempty"`
			SourceRunID  string      `json:"source_run_id,omitempty"`
			Params       []api.Param `json:"params,omitempty"`
			Tags         []api.Tag   `json:"tags,omitempty"`
		}{req.ExperimentID, req.Name, req.ModelType, req.SourceRunID, api.ParamsOf(req.Params), api.TagsOf(req.Tags)})
	if err != nil {
		return nil, err
	}
	return s.modelAnswer(ctx, c)
}

// FinalizeLoggedModel sets a logged model's final status.
func (s *Store) FinalizeLoggedModel(ctx context.Context, modelID string, status store.ModelStatus) (*store.LoggedModel, error) {
	if status != store.ModelReady && status != store.ModelFailed {
		return nil, store.Errorf(store.CodeInvalidParameter, "rest: a logged model is finalized as %s or %s, not %s",
			store.ModelReady, store.ModelFailed, status)
	}
	if err := checkModelID(modelID); err != nil {
		return nil, err
	}
	c, err := jsonCall(http.MethodPatch, epLoggedModels+"/"+modelID,
		fmt.Sprintf("finalize logged model %s as %s", modelID, status), true,
		struct {
			ModelID string `json:"model_id"`
			Status  string `json:"status"`
		}{modelID, status.String()})
	if err != nil {
		return nil, err
	}
	return s.modelAnswer(ctx, c)
}

// GetLoggedModel returns a logged model.
func (s *Store) GetLoggedModel(ctx context.Context, modelID string) (*store.LoggedModel, error) {
	if err := checkModelID(modelID); err != nil {
		return nil, err
	}
	c := &call{method: http.MethodGet, endpoint: epLoggedModels + "/" + modelID,
		what: fmt.Sprintf("get logged model %s", modelID), idempotent: true}
	return s.modelAnswer(ctx, c)
}

func (s *Store) modelAnswer(ctx context.Context, c *call) (*store.LoggedModel, error) {
	var out struct {
		Model *api.LoggedModel `json:"model"`
	}
	if err := s.do(ctx, c, &out); err != nil {
		return nil, err
	}
	if out.Model == nil {
		return nil, s.malformed(c, "no model in the answer")
	}
	return out.Model.Entity(), nil
}

// checkModelID refuses ids that would name another endpoint once put in a
// URL path.
func checkModelID(id string) error {
	if id == "" || strings.ContainsAny(id, "/?#%") || id == "." || id == ".." {
		return store.Errorf(store.CodeInvalidParameter, "rest: logged model id %q is not valid", id)
	}
	return nil
}

// malformed reports a successful answer that lacks what it must hold.
func (s *Store) malformed(c *call, msg string) error {
	return &Error{Server: s.server, Method: c.method, Endpoint: c.endpoint, What: c.what,
		Status: http.StatusOK, Attempts: 1, Err: errors.New(msg)}
}
