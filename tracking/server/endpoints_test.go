package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/store"
)

func TestExperimentLifecycle(t *testing.T) {
	ts := newTestServer(t)
	exp, run := ts.newRun("life")
	api := "/api/2.0/mlflow/"
	ts.ok("POST", api+"experiments/set-experiment-tag", map[string]any{"experiment_id": exp, "key": "k", "value": "v"}, nil)
	ts.ok("POST", api+"experiments/delete-experiment-tag", map[string]any{"experiment_id": exp, "key": "k"}, nil)
	ts.fails("POST", api+"experiments/delete-experiment-tag", map[string]any{"experiment_id": exp, "key": "k"}, 404, "RESOURCE_DOES_NOT_EXIST")
	ts.ok("POST", api+"experiments/update", map[string]any{"experiment_id": exp, "new_name": "renamed"}, nil)
	ts.ok("GET", api+"experiments/get-by-name?experiment_name=renamed", nil, nil)
	ts.fails("POST", api+"experiments/update", map[string]any{"experiment_id": exp, "new_name": "Default"}, 400, "RESOURCE_ALREADY_EXISTS")

	ts.ok("POST", api+"experiments/delete", map[string]any{"experiment_id": exp}, nil)
	var got struct {
		Experiment struct {
			LifecycleStage string `json:"lifecycle_stage"`
		} `json:"experiment"`
	}
	ts.ok("GET", api+"experiments/get?experiment_id="+exp, nil, &got)
	if got.Experiment.LifecycleStage != "deleted" {
		t.Errorf("after delete: %s", got.Experiment.LifecycleStage)
	}
	var search struct {
		Experiments []struct {
			ExperimentID string `json:"experiment_id"`
		} `json:"experiments"`
	}
	ts.ok("POST", api+"experiments/search", map[string]any{"view_type": "DELETED_ONLY"}, &search)
	if len(search.Experiments) != 1 || search.Experiments[0].ExperimentID != exp {
		t.Errorf("deleted experiments: %+v", search.Experiments)
	}
	ts.ok("GET", api+"experiments/search?view_type=ALL&max_results=1", nil, &search)
	if len(search.Experiments) != 1 {
		t.Errorf("max_results=1 gave %d experiments", len(search.Experiments))
	}
	ts.fails("POST", api+"experiments/search", map[string]any{"max_results": 50001}, 400, "INVALID_PARAMETER_VALUE")
	ts.fails("POST", api+"experiments/search", map[string]any{"max_results": 0}, 400, "INVALID_PARAMETER_VALUE")
	ts.ok("POST", api+"experiments/restore", map[string]any{"experiment_id": exp}, nil)
	var r struct {
		Run struct {
			Info struct {
				LifecycleStage string `json:"lifecycle_stage"`
			} `json:"info"`
		} `json:"run"`
	}
	ts.ok("GET", api+"runs/get?run_id="+run, nil, &r)
	if r.Run.Info.LifecycleStage != "active" {
		t.Errorf("run after restoring its experiment: %s", r.Run.Info.LifecycleStage)
	}
	ts.fails("POST", api+"experiments/delete", map[string]any{"experiment_id": "0"}, 400, "INVALID_PARAMETER_VALUE")
	ts.fails("POST", api+"experiments/delete", map[string]any{}, 400, "INVALID_PARAMETER_VALUE")
}

func TestRequestValidation(t *testing.T) {
	ts := newTestServer(t)
	_, run := ts.newRun("valid")
	api := "/api/2.0/mlflow/"
	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   any
		status int
		code   string
	}{
		{"metric without key", "POST", "runs/log-metric", map[string]any{"run_id": run, "value": 1, "timestamp": 1}, 400, "INVALID_PARAMETER_VALUE"},
		{"metric without timestamp", "POST", "runs/log-metric", map[string]any{"run_id": run, "key": "a", "value": 1}, 400, "INVALID_PARAMETER_VALUE"},
		{"metric key that climbs", "POST", "runs/log-metric", map[string]any{"run_id": run, "key": "bad/../key", "value": 1, "timestamp": 1}, 400, "INVALID_PARAMETER_VALUE"},
		{"value of the wrong type", "POST", "runs/log-metric", map[string]any{"run_id": run, "key": "a", "value": []int{1}, "timestamp": 1}, 400, "INVALID_PARAMETER_VALUE"},
		{"no run id", "POST", "runs/set-tag", map[string]any{"key": "a", "value": "b"}, 400, "INVALID_PARAMETER_VALUE"},
		{"missing run", "GET", "runs/get?run_id=00000000000000000000000000000000", nil, 404, "RESOURCE_DOES_NOT_EXIST"},
		{"history of a missing run", "GET", "metrics/get-history?run_id=00000000000000000000000000000000&metric_key=a", nil, 404, "RESOURCE_DOES_NOT_EXIST"},
		{"bulk history of a missing run", "GET", "metrics/get-history-bulk-interval?metric_key=a&run_ids=" + run + "&run_ids=00000000000000000000000000000000", nil, 404, "RESOURCE_DOES_NOT_EXIST"},
		{"missing experiment", "GET", "experiments/get?experiment_id=12345", nil, 404, "RESOURCE_DOES_NOT_EXIST"},
		{"101 params", "POST", "runs/log-batch", map[string]any{"run_id": run, "params": manyParams(101)}, 400, "INVALID_PARAMETER_VALUE"},
		{"batch metric without timestamp", "POST", "runs/log-batch", map[string]any{"run_id": run, "metrics": []map[string]any{{"key": "a", "value": 1}}}, 400, "INVALID_PARAMETER_VALUE"},
		{"batch tag without key", "POST", "runs/log-batch", map[string]any{"run_id": run, "tags": []map[string]any{{"value": "x"}}}, 400, "INVALID_PARAMETER_VALUE"},
		{"param twice in a batch", "POST", "runs/log-batch", map[string]any{"run_id": run, "params": []map[string]string{{"key": "d", "value": "1"}, {"key": "d", "value": "1"}}}, 400, "INVALID_PARAMETER_VALUE"},
		{"param changed", "POST", "runs/log-parameter", map[string]any{"run_id": run, "key": "p0", "value": "other"}, 400, "INVALID_PARAMETER_VALUE"},
		{"bad status", "POST", "runs/update", map[string]any{"run_id": run, "status": "DONE"}, 400, "INVALID_PARAMETER_VALUE"},
		{"search page too big", "POST", "runs/search", map[string]any{"experiment_ids": []string{"0"}, "max_results": 50001}, 400, "INVALID_PARAMETER_VALUE"},
		{"missing tag", "POST", "runs/delete-tag", map[string]any{"run_id": run, "key": "nope"}, 404, "RESOURCE_DOES_NOT_EXIST"},
		{"unknown route", "GET", "runs/nothing", nil, 404, "ENDPOINT_NOT_FOUND"},
		{"wrong method", "GET", "runs/create", nil, 405, "BAD_REQUEST"},
		{"bulk without runs", "GET", "metrics/get-history-bulk-interval?metric_key=a", nil, 400, "INVALID_PARAMETER_VALUE"},
		{"bulk over 2500", "GET", "metrics/get-history-bulk-interval?metric_key=a&run_ids=" + run + "&max_results=2501", nil, 400, "INVALID_PARAMETER_VALUE"},
		{"bulk with one end", "GET", "metrics/get-history-bulk-interval?metric_key=a&run_ids=" + run + "&start_step=1", nil, 400, "INVALID_PARAMETER_VALUE"},
		{"missing logged model", "GET", "logged-models/m-00000000000000000000000000000000", nil, 404, "RESOURCE_DOES_NOT_EXIST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "param changed" {
				ts.ok("POST", api+"runs/log-parameter", map[string]any{"run_id": run, "key": "p0", "value": "x"}, nil)
			}
			ts.fails(tt.method, api+tt.path, tt.body, tt.status, tt.code)
		})
	}
	// Over 100 run ids.
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = "run_ids=" + run
	}
	ts.fails("GET", api+"metrics/get-history-bulk-interval?metric_key=a&"+strings.Join(ids, "&"), nil, 400, "INVALID_PARAMETER_VALUE")

	// A POST whose body a browser could send across origins without asking
	// (a form, text/plain) is refused.
	w := ts.do("POST", api+"runs/set-tag", strings.NewReader(`{"run_id":"`+run+`","key":"a","value":"b"}`))
	if w.Code != 400 {
		t.Errorf("a POST that is not application/json: %d %s", w.Code, w.Body.String())
	}
}

func manyParams(n int) []map[string]string {
	ps := make([]map[string]string, n)
	for i := range ps {
		ps[i] = map[string]string{"key": fmt.Sprintf("p%d", i), "value": "x"}
	}
	return ps
}

func TestBothPrefixesAndPlainEndpoints(t *testing.T) {
	ts := newTestServer(t)
	_, run := ts.newRun("prefixes")
	for _, p := range []string{"/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"} {
		ts.ok("GET", p+"runs/get?run_id="+run, nil, nil)
		for _, reg := range []string{"registered-models/search", "model-versions/search"} {
			w := ts.do("GET", p+reg, nil)
			if w.Code != 200 || strings.TrimSpace(w.Body.String()) != "{}" {
				t.Errorf("%s%s: %d %s", p, reg, w.Code, w.Body.String())
			}
		}
	}
	for path, want := range map[string]string{"/health": "OK", "/version": MLflowVersion} {
		w := ts.do("GET", path, nil)
		if w.Code != 200 || w.Body.String() != want {
			t.Errorf("%s: %d %q", path, w.Code, w.Body.String())
		}
	}
}

func TestMetricHistoryPages(t *testing.T) {
	ts := newTestServer(t)
	_, run := ts.newRun("history")
	var ms []map[string]any
	for i := range 25 {
		ms = append(ms, map[string]any{"key": "loss", "value": float64(i), "timestamp": 1000 + i, "step": i})
	}
	ts.ok("POST", "/api/2.0/mlflow/runs/log-batch", map[string]any{"run_id": run, "metrics": ms}, nil)
	var steps []int64
	tok := ""
	for pages := 0; ; pages++ {
		var out struct {
			Metrics []struct {
				Step int64 `json:"step"`
			} `json:"metrics"`
			NextPageToken string `json:"next_page_token"`
		}
		q := "/api/2.0/mlflow/metrics/get-history?run_id=" + run + "&metric_key=loss&max_results=10"
		if tok != "" {
			q += "&page_token=" + tok
		}
		ts.ok("GET", q, nil, &out)
		for _, m := range out.Metrics {
			steps = append(steps, m.Step)
		}
		if out.NextPageToken == "" || pages > 5 {
			break
		}
		tok = out.NextPageToken
	}
	if len(steps) != 25 || !slices.IsSorted(steps) {
		t.Errorf("paged history: %v", steps)
	}
	var all struct {
		Metrics []any `json:"metrics"`
	}
	ts.ok("GET", "/api/2.0/mlflow/metrics/get-history?run_id="+run+"&metric_key=loss", nil, &all)
	if len(all.Metrics) != 25 {
		t.Errorf("history without max_results: %d points, want 25", len(all.Metrics))
	}
}

func TestSampleSteps(t *testing.T) {
	pts := func(steps ...int64) []store.Metric {
		var ms []store.Metric
		for _, s := range steps {
			ms = append(ms, store.Metric{Step: s})
		}
		return ms
	}
	var long []int64
	for i := range int64(10) {
		long = append(long, i*10)
	}
	i64 := func(v int64) *int64 { return &v }
	for _, tt := range []struct {
		name       string
		histories  [][]store.Metric
		max        int
		start, end *int64
		want       []int64
	}{
		{"few steps: all", [][]store.Metric{pts(0, 1, 2), pts(1, 5)}, 10, nil, nil, []int64{0, 1, 2, 5}},
		// 10 distinct steps, 4 wanted: indexes 0, 2.5->2, 5, 7.5->7 plus the
		// last (90) and each run's ends.
		{"sampled, ends kept", [][]store.Metric{pts(long...), pts(30, 40)}, 4, nil, nil, []int64{0, 20, 30, 40, 50, 70, 90}},
		{"range", [][]store.Metric{pts(long...)}, 2, i64(20), i64(60), []int64{20, 40, 60}},
		{"negative steps left out without a range", [][]store.Metric{pts(-5, 0, 5)}, 10, nil, nil, []int64{0, 5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := sampleSteps(tt.histories, tt.max, tt.start, tt.end)
			if !slices.Equal(got, tt.want) {
				t.Errorf("sampleSteps = %v, want %v", got, tt.want)
			}
		})
	}
}

// recorder is a store.Store without store.Manager.
type recorder struct{ store.Store }

func TestStoreWithoutManager(t *testing.T) {
	h := New(Config{Store: recorder{memstore.New()}})
	ts := &testServer{t: t, h: h}
	ts.fails("POST", "/api/2.0/mlflow/experiments/delete", map[string]any{"experiment_id": "0"}, http.StatusNotImplemented, "NOT_IMPLEMENTED")
	ts.fails("POST", "/api/2.0/mlflow/experiments/search", map[string]any{}, http.StatusNotImplemented, "NOT_IMPLEMENTED")
	ts.fails("GET", "/api/2.0/mlflow-artifacts/artifacts?path=x", nil, 404, "ENDPOINT_NOT_FOUND")
	ts.ok("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0", nil, nil)
}

func TestMetricHistoryBulk(t *testing.T) {
	ts := newTestServer(t)
	exp, a := ts.newRun("bulk")
	var r struct {
		Run struct {
			Info struct {
				RunID string `json:"run_id"`
			} `json:"info"`
		} `json:"run"`
	}
	ts.ok("POST", "/api/2.0/mlflow/runs/create", map[string]any{"experiment_id": exp, "start_time": 2000}, &r)
	b := r.Run.Info.RunID
	for i, id := range []string{a, b} {
		ms := []map[string]any{
			{"key": "loss", "value": 2, "timestamp": 20, "step": 0},
			{"key": "loss", "value": 1, "timestamp": 10, "step": 1},
			{"key": "loss", "value": float64(i), "timestamp": 30, "step": 2},
		}
		ts.ok("POST", "/api/2.0/mlflow/runs/log-batch", map[string]any{"run_id": id, "metrics": ms}, nil)
	}
	var out struct {
		Metrics []struct {
			RunID     string `json:"run_id"`
			Timestamp int64  `json:"timestamp"`
		} `json:"metrics"`
	}
	missing := "00000000000000000000000000000000"
	ts.ok("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=loss&run_id="+b+"&run_id="+a+"&run_id="+missing+"&max_results=5", nil, &out)
	first, second := min(a, b), max(a, b)
	var got []string
	for _, m := range out.Metrics {
		got = append(got, fmt.Sprintf("%s@%d", m.RunID, m.Timestamp))
	}
	want := []string{first + "@10", first + "@20", first + "@30", second + "@10", second + "@20"}
	if !slices.Equal(got, want) {
		t.Errorf("bulk history:\n got %v\nwant %v", got, want)
	}
	ts.fails("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=loss", nil, 400, "INVALID_PARAMETER_VALUE")
	ts.fails("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id="+a, nil, 400, "INVALID_PARAMETER_VALUE")
}

// broken is a store whose reads fail as a database gone bad would.
type broken struct{ store.Store }

func (broken) GetRun(context.Context, string) (*store.Run, error) {
	return nil, errors.New("disk I/O error")
}

func TestServerErrorsAreLogged(t *testing.T) {
	var logged strings.Builder
	h := New(Config{Store: broken{memstore.New()}, ErrorLog: log.New(&logged, "", 0)})
	ts := &testServer{t: t, h: h}
	ts.fails("GET", "/api/2.0/mlflow/runs/get?run_id=abc", nil, 500, "INTERNAL_ERROR")
	ts.fails("GET", "/api/2.0/mlflow/experiments/get?experiment_id=999", nil, 404, "RESOURCE_DOES_NOT_EXIST")
	if got := logged.String(); got != "GET /api/2.0/mlflow/runs/get: 500: disk I/O error\n" {
		t.Errorf("logged %q", got)
	}
}
