package rest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/api"
)

// fakeServer is a small in-memory MLflow tracking server for behaviour tests
// (retries, paging, round trips). It keeps what MLflow keeps the way MLflow
// keeps it where that matters here: a metric point is stored once per
// (key, timestamp, step, value), a param cannot change value, each
// log-outputs call adds a link. Faults can be injected per endpoint.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	pageSize int // get-history pages hold at most this many points (0: no cap)
	faults   []*fault
	requests []string // "METHOD /path?query", in order
	bodies   map[string][][]byte
	exps     []*api.Experiment
	runs     map[string]*fakeRun
	runOrder []string
	models   map[string]*api.LoggedModel
	files    map[string][]byte
}

type fakeRun struct {
	api.Run
	points  map[string][]api.Metric // key -> history
	seen    map[api.Metric]bool
	outputs []api.ModelOutput
}

// fault makes the next times requests to endpoint fail: with status, or by
// dropping the connection when status is 0; after applying the request when
// afterApply is set (the worst case: the server did the work, the client
// saw a failure).
type fault struct {
	endpoint   string
	times      int
	status     int
	afterApply bool
	retryAfter string
}

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{t: t, runs: map[string]*fakeRun{}, models: map[string]*api.LoggedModel{},
		files: map[string][]byte{}, bodies: map[string][][]byte{}}
	f.exps = []*api.Experiment{{ExperimentID: "0", Name: "Default", ArtifactLocation: "mlflow-artifacts:/0", LifecycleStage: "active"}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) store(opts Options) *Store {
	s, err := New(f.srv.URL, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { s.Close() })
	return s
}

func (f *fakeServer) count(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies[endpoint])
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	ep := r.URL.Path
	if strings.HasPrefix(ep, epArtifacts+"/") {
		ep = epArtifacts + "/"
	} else if strings.HasPrefix(ep, epLoggedModels+"/") {
		ep = epLoggedModels + "/"
	}
	f.bodies[ep] = append(f.bodies[ep], body)
	for _, ft := range f.faults {
		if ft.endpoint != ep || ft.times == 0 {
			continue
		}
		ft.times--
		if ft.afterApply {
			f.handle(httptest.NewRecorder(), r, body)
		}
		if ft.status == 0 {
			// Drop the connection without an answer, as a crashing server does.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		writeJSON(w, ft.status, wError{ErrorCode: "INTERNAL_ERROR", Message: "injected fault"})
		return
	}
	f.handle(w, r, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func mlflowError(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, wError{ErrorCode: code, Message: fmt.Sprintf(format, args...)})
}

// handle answers one request; the caller holds f.mu.
func (f *fakeServer) handle(w http.ResponseWriter, r *http.Request, body []byte) {
	q := r.URL.Query()
	decode := func(v any) bool {
		if err := json.Unmarshal(body, v); err != nil {
			mlflowError(w, 400, "INVALID_PARAMETER_VALUE", "bad JSON: %v", err)
			return false
		}
		return true
	}
	run := func(id string) *fakeRun {
		rn := f.runs[id]
		if rn == nil {
			mlflowError(w, 404, "RESOURCE_DOES_NOT_EXIST", "Run with id=%s not found", id)
		}
		return rn
	}
	p := r.URL.Path
	switch {
	case p == epExperimentCreate:
		var req api.Experiment
		if !decode(&req) {
			return
		}
		for _, e := range f.exps {
			if e.Name == req.Name {
				mlflowError(w, 400, "RESOURCE_ALREADY_EXISTS", "Experiment(name=%s) already exists.", req.Name)
				return
			}
		}
		id := strconv.Itoa(len(f.exps))
		f.exps = append(f.exps, &api.Experiment{ExperimentID: id, Name: req.Name, Tags: req.Tags,
			ArtifactLocation: "mlflow-artifacts:/" + id, LifecycleStage: "active"})
		writeJSON(w, 200, map[string]string{"experiment_id": id})
	case p == epExperimentGet || p == epExperimentGetByName:
		for _, e := range f.exps {
			if e.ExperimentID == q.Get("experiment_id") || e.Name == q.Get("experiment_name") {
				writeJSON(w, 200, map[string]any{"experiment": e})
				return
			}
		}
		mlflowError(w, 404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment")
	case p == epRunCreate:
		var req struct {
			ExperimentID string    `json:"experiment_id"`
			UserID       string    `json:"user_id"`
			RunName      string    `json:"run_name"`
			StartTime    api.Int   `json:"start_time"`
			Tags         []api.Tag `json:"tags"`
		}
		if !decode(&req) {
			return
		}
		id := fmt.Sprintf("%032x", len(f.runs)+1)
		if req.RunName == "" {
			req.RunName = "run-" + strconv.Itoa(len(f.runs)+1)
		}
		rn := &fakeRun{points: map[string][]api.Metric{}, seen: map[api.Metric]bool{}}
		rn.Info = api.RunInfo{RunID: id, RunUUID: id, ExperimentID: req.ExperimentID, RunName: req.RunName,
			UserID: req.UserID, Status: "RUNNING", StartTime: req.StartTime, LifecycleStage: "active",
			ArtifactURI: "mlflow-artifacts:/" + req.ExperimentID + "/" + id + "/artifacts"}
		rn.Data.Tags = append(req.Tags, api.Tag{Key: "mlflow.runName", Value: req.RunName})
		f.runs[id] = rn
		f.runOrder = append(f.runOrder, id)
		writeJSON(w, 200, map[string]any{"run": f.runView(rn)})
	case p == epRunUpdate:
		var req struct {
			RunID   string  `json:"run_id"`
			Status  string  `json:"status"`
			EndTime api.Int `json:"end_time"`
		}
		if !decode(&req) {
			return
		}
		if rn := run(req.RunID); rn != nil {
			rn.Info.Status, rn.Info.EndTime = req.Status, req.EndTime
			writeJSON(w, 200, map[string]any{"run_info": rn.Info})
		}
	case p == epRunGet:
		if rn := run(q.Get("run_id")); rn != nil {
			writeJSON(w, 200, map[string]any{"run": f.runView(rn)})
		}
	case p == epRunSearch:
		var req struct {
			ExperimentIDs []string `json:"experiment_ids"`
			MaxResults    int      `json:"max_results"`
			PageToken     string   `json:"page_token"`
		}
		if !decode(&req) {
			return
		}
		var all []*fakeRun
		for _, id := range f.runOrder {
			for _, e := range req.ExperimentIDs {
				if f.runs[id].Info.ExperimentID == e {
					all = append(all, f.runs[id])
				}
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].Info.StartTime > all[j].Info.StartTime })
		off, _ := strconv.Atoi(req.PageToken)
		end := min(off+req.MaxResults, len(all))
		out := map[string]any{}
		var page []api.Run
		for _, rn := range all[off:end] {
			page = append(page, f.runView(rn))
		}
		out["runs"] = page
		if end < len(all) {
			out["next_page_token"] = strconv.Itoa(end)
		}
		writeJSON(w, 200, out)
	case p == epLogBatch:
		var req struct {
			RunID   string       `json:"run_id"`
			Metrics []api.Metric `json:"metrics"`
			Params  []api.Param  `json:"params"`
			Tags    []api.Tag    `json:"tags"`
		}
		if !decode(&req) {
			return
		}
		if len(req.Params) > 100 {
			mlflowError(w, 400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 100 params. Got %d params.", len(req.Params))
			return
		}
		rn := run(req.RunID)
		if rn == nil {
			return
		}
		for _, np := range req.Params {
			for _, op := range rn.Data.Params {
				if op.Key == np.Key && op.Value != np.Value {
					mlflowError(w, 400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed.")
					return
				}
			}
		}
	params:
		for _, np := range req.Params {
			for _, op := range rn.Data.Params {
				if op.Key == np.Key {
					continue params
				}
			}
			rn.Data.Params = append(rn.Data.Params, np)
		}
		for _, m := range req.Metrics {
			if !rn.seen[m] { // MLflow's metrics table has the point as primary key
				rn.seen[m] = true
				rn.points[m.Key] = append(rn.points[m.Key], m)
			}
		}
		for _, t := range req.Tags {
			rn.setTag(t)
		}
		writeJSON(w, 200, struct{}{})
	case p == epMetricHistory:
		rn := run(q.Get("run_id"))
		if rn == nil {
			return
		}
		if q.Get("max_results") == "" {
			// The upstream bug the client must not trip on (mlflow/mlflow#23916).
			writeJSON(w, 200, map[string]string{"next_page_token": "eyJvZmZzZXQiOiAwfQ=="})
			return
		}
		max, _ := strconv.Atoi(q.Get("max_results"))
		if f.pageSize > 0 {
			max = min(max, f.pageSize)
		}
		off := 0
		if tok := q.Get("page_token"); tok != "" {
			b, _ := base64.StdEncoding.DecodeString(tok)
			var t struct{ Offset int }
			json.Unmarshal(b, &t)
			off = t.Offset
		}
		all := rn.points[q.Get("metric_key")]
		end := min(off+max, len(all))
		out := map[string]any{"metrics": all[off:end]}
		if end < len(all) {
			out["next_page_token"] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"offset": %d}`, end)))
		}
		writeJSON(w, 200, out)
	case p == epLogInputs:
		var req struct {
			RunID    string             `json:"run_id"`
			Datasets []api.DatasetInput `json:"datasets"`
		}
		if !decode(&req) {
			return
		}
		if rn := run(req.RunID); rn != nil {
			rn.Inputs.DatasetInputs = append(rn.Inputs.DatasetInputs, req.Datasets...)
			writeJSON(w, 200, struct{}{})
		}
	case p == epLogOutputs:
		var req struct {
			RunID  string            `json:"run_id"`
			Models []api.ModelOutput `json:"models"`
		}
		if !decode(&req) {
			return
		}
		if rn := run(req.RunID); rn != nil {
			rn.outputs = append(rn.outputs, req.Models...) // one row per call, as MLflow
			writeJSON(w, 200, struct{}{})
		}
	case p == epLoggedModels && r.Method == http.MethodPost:
		var req struct {
			ExperimentID string      `json:"experiment_id"`
			Name         string      `json:"name"`
			ModelType    string      `json:"model_type"`
			SourceRunID  string      `json:"source_run_id"`
			Params       []api.Param `json:"params"`
			Tags         []api.Tag   `json:"tags"`
		}
		if !decode(&req) {
			return
		}
		m := &api.LoggedModel{}
		m.Info.ModelID = fmt.Sprintf("m-%032x", len(f.models)+1)
		m.Info.ExperimentID, m.Info.Name, m.Info.ModelType = req.ExperimentID, req.Name, req.ModelType
		m.Info.SourceRunID, m.Info.Tags, m.Data.Params = req.SourceRunID, req.Tags, req.Params
		m.Info.Status = "LOGGED_MODEL_PENDING"
		m.Info.ArtifactURI = "mlflow-artifacts:/" + req.ExperimentID + "/models/" + m.Info.ModelID + "/artifacts"
		f.models[m.Info.ModelID] = m
		writeJSON(w, 200, map[string]any{"model": m})
	case strings.HasPrefix(p, epLoggedModels+"/"):
		m := f.models[strings.TrimPrefix(p, epLoggedModels+"/")]
		if m == nil {
			mlflowError(w, 404, "RESOURCE_DOES_NOT_EXIST", "Logged model not found")
			return
		}
		if r.Method == http.MethodPatch {
			var req struct{ Status string }
			if !decode(&req) {
				return
			}
			m.Info.Status = req.Status
		}
		writeJSON(w, 200, map[string]any{"model": m})
	case strings.HasPrefix(p, epArtifacts+"/") && r.Method == http.MethodPut:
		f.files[strings.TrimPrefix(p, epArtifacts+"/")] = body
		writeJSON(w, 200, struct{}{})
	case strings.HasPrefix(p, epArtifacts+"/"):
		b, ok := f.files[strings.TrimPrefix(p, epArtifacts+"/")]
		if !ok {
			mlflowError(w, 404, "RESOURCE_DOES_NOT_EXIST", "File not found")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	case p == epArtifacts:
		dir := q.Get("path") + "/"
		seen := map[string]bool{}
		var files []map[string]any
		for name, b := range f.files {
			rest, ok := strings.CutPrefix(name, dir)
			if !ok {
				continue
			}
			first, _, isDir := strings.Cut(rest, "/")
			if seen[first] {
				continue
			}
			seen[first] = true
			e := map[string]any{"path": first, "is_dir": isDir}
			if !isDir {
				e["file_size"] = len(b)
			}
			files = append(files, e)
		}
		writeJSON(w, 200, map[string]any{"files": files})
	default:
		http.NotFound(w, r)
	}
}

func (rn *fakeRun) setTag(t api.Tag) {
	for i := range rn.Data.Tags {
		if rn.Data.Tags[i].Key == t.Key {
			rn.Data.Tags[i].Value = t.Value
			return
		}
	}
	rn.Data.Tags = append(rn.Data.Tags, t)
}

// runView is the run as the server shows it: latest point of each metric.
func (f *fakeServer) runView(rn *fakeRun) api.Run {
	v := rn.Run
	v.Data.Metrics = nil
	for _, pts := range rn.points {
		latest := pts[0]
		for _, m := range pts[1:] {
			if m.Step > latest.Step || (m.Step == latest.Step && m.Timestamp > latest.Timestamp) {
				latest = m
			}
		}
		v.Data.Metrics = append(v.Data.Metrics, latest)
	}
	v.Outputs = &api.RunOutputs{ModelOutputs: rn.outputs}
	return v
}

// pointCount is how many points of key the run holds.
func (f *fakeServer) pointCount(runID, key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.runs[runID].points[key])
}
