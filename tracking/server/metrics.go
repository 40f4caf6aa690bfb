package server

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// MLflow's bounds on metric history requests.
const (
	maxHistoryPerRun = 25000 // points of one run in a bulk answer
	maxBulkRuns      = 100   // runs in one get-history-bulk-interval
	maxBulkResults   = 2500  // sampled steps in one get-history-bulk-interval
)

// offsetToken is MLflow's page token: base64 of {"offset": n}.
func offsetToken(n int) string {
	b, _ := json.Marshal(struct {
		Offset int `json:"offset"`
	}{n})
	return base64.StdEncoding.EncodeToString(b)
}

func parseOffsetToken(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	var v struct {
		Offset *int `json:"offset"`
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil || v.Offset == nil || *v.Offset < 0 {
		return 0, invalid("Invalid page token, could not base64-decode or parse it: %q", tok)
	}
	return *v.Offset, nil
}

// byTime orders points as MLflow's get-history answers them: by timestamp,
// then step, then value.
func byTime(a, b store.Metric) int {
	return cmp.Or(cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.Step, b.Step), cmp.Compare(a.Value, b.Value))
}

func (s *Server) metricHistory(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		MetricKey  string   `json:"metric_key"`
		MaxResults *api.Int `json:"max_results"`
		PageToken  string   `json:"page_token"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	if err := need("metric_key", req.MetricKey); err != nil {
		return nil, err
	}
	offset, err := parseOffsetToken(req.PageToken)
	if err != nil {
		return nil, err
	}
	// MLflow 3.11 answers a request without max_results with no points and
	// a token that never advances (mlflow/mlflow#23916); its fix, followed
	// here, answers every point.
	size := -1
	if req.MaxResults != nil && *req.MaxResults > 0 {
		size = int(*req.MaxResults)
	}
	// The store reports a missing run, as MLflow does.
	pts, err := s.st.GetMetricHistory(ctx, id, req.MetricKey)
	if err != nil {
		return nil, runNotFound(id, err)
	}
	if !slices.IsSortedFunc(pts, byTime) {
		slices.SortStableFunc(pts, byTime)
	}
	pts = pts[min(offset, len(pts)):]
	next := ""
	if size >= 0 && len(pts) > size {
		pts = pts[:size]
		next = offsetToken(offset + size)
	}
	return metricsAnswer(pts, nil, next), nil
}

// metricsAnswer is {"metrics": [...], "next_page_token": ...} with empty
// parts left out, encoded without reflection or a copy of the points:
// histories are long. runIDs, when not nil, gives each point's run.
func metricsAnswer(ms []store.Metric, runIDs []string, next string) rawJSON {
	b := make([]byte, 0, 64+80*len(ms))
	b = append(b, '{')
	if len(ms) > 0 {
		b = append(b, `"metrics":[`...)
		for i, m := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			w := api.MetricOf(m)
			if runIDs != nil {
				w.RunID = runIDs[i]
			}
			b = api.AppendMetric(b, w)
		}
		b = append(b, ']')
	}
	if next != "" {
		if len(ms) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"next_page_token":`...)
		b = strconv.AppendQuote(b, next) // base64: nothing to escape
	}
	return append(b, '}')
}

func (s *Server) metricHistoryBulkInterval(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		RunIDs     []string `json:"run_ids"`
		MetricKey  string   `json:"metric_key"`
		StartStep  *api.Int `json:"start_step"`
		EndStep    *api.Int `json:"end_step"`
		MaxResults *api.Int `json:"max_results"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	if len(req.RunIDs) == 0 {
		return nil, missing("run_ids")
	}
	if len(req.RunIDs) > maxBulkRuns {
		return nil, invalid("GetMetricHistoryBulkInterval request must specify at most %d run_ids. Received %d run_ids. See the API docs for more information about request parameters.", maxBulkRuns, len(req.RunIDs))
	}
	if err := need("metric_key", req.MetricKey); err != nil {
		return nil, err
	}
	maxResults := maxBulkResults
	if req.MaxResults != nil {
		maxResults = int(*req.MaxResults)
		if maxResults < 1 || maxResults > maxBulkResults {
			return nil, invalid("max_results must be between 1 and %d. See the API docs for more information about request parameters.", maxBulkResults)
		}
	}
	switch {
	case req.StartStep != nil && req.EndStep != nil:
		if *req.StartStep > *req.EndStep {
			return nil, invalid("end_step must be greater than start_step. Found start_step=%d and end_step=%d.", *req.StartStep, *req.EndStep)
		}
	case req.StartStep != nil || req.EndStep != nil:
		return nil, invalid("If either start step or end step are specified, both must be specified.")
	}
	histories := make([][]store.Metric, len(req.RunIDs))
	for i, id := range req.RunIDs {
		pts, err := s.st.GetMetricHistory(ctx, id, req.MetricKey)
		if err != nil {
			return nil, runNotFound(id, err)
		}
		histories[i] = pts
	}
	var start, end *int64
	if req.StartStep != nil {
		a, b := int64(*req.StartStep), int64(*req.EndStep)
		start, end = &a, &b
	}
	var out []store.Metric
	var runs []string
	for i, picked := range SampleHistories(histories, maxResults, start, end) {
		out = append(out, picked...)
		for range picked {
			runs = append(runs, req.RunIDs[i])
		}
	}
	return metricsAnswer(out, runs, ""), nil
}

// metricHistoryBulk answers the UI's older chart request: every point of a
// metric of up to 100 runs, by run id, then timestamp, step and value, at
// most max_results (25,000) in all. Runs that do not exist are left out, as
// MLflow's SQL store leaves them out.
func (s *Server) metricHistoryBulk(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		RunIDs     []string `json:"run_id"`
		MetricKey  *string  `json:"metric_key"`
		MaxResults *api.Int `json:"max_results"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	switch {
	case len(req.RunIDs) == 0:
		return nil, invalid("GetMetricHistoryBulk request must specify at least one run_id.")
	case len(req.RunIDs) > maxBulkRuns:
		return nil, invalid("GetMetricHistoryBulk request cannot specify more than %d run_ids. Received %d run_ids.", maxBulkRuns, len(req.RunIDs))
	case req.MetricKey == nil:
		return nil, invalid("GetMetricHistoryBulk request must specify a metric_key.")
	}
	limit := maxHistoryPerRun
	if req.MaxResults != nil {
		limit = min(int(*req.MaxResults), maxHistoryPerRun)
	}
	ids := slices.Clone(req.RunIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []store.Metric
	var runs []string
	for _, id := range ids {
		pts, err := s.st.GetMetricHistory(ctx, id, *req.MetricKey)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(pts, byTime)
		for _, p := range pts {
			if len(out) >= max(limit, 0) {
				break
			}
			out = append(out, p)
			runs = append(runs, id)
		}
	}
	b := metricsAnswer(out, runs, "")
	if len(out) == 0 {
		b = rawJSON(`{"metrics":[]}`)
	}
	return b, nil
}

// SampleHistories picks the points of several runs' histories of one metric
// that a chart draws, as get-history-bulk-interval, and so MLflow's UI, picks
// them: at most maxResults steps shared by every run (sampleSteps), with
// every point logged at one of them, each history ordered by step then
// timestamp and cut at 25,000 points. start and end, both nil or both set,
// bound the steps. The web UI (tracking/ui) draws its charts from it, so
// that they look as MLflow's do.
func SampleHistories(histories [][]store.Metric, maxResults int, start, end *int64) [][]store.Metric {
	steps := sampleSteps(histories, maxResults, start, end)
	out := make([][]store.Metric, len(histories))
	for i, pts := range histories {
		var picked []store.Metric
		for _, p := range pts {
			if _, ok := slices.BinarySearch(steps, p.Step); ok {
				picked = append(picked, p)
			}
		}
		slices.SortStableFunc(picked, func(a, b store.Metric) int {
			return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Timestamp, b.Timestamp))
		})
		out[i] = picked[:min(len(picked), maxHistoryPerRun)]
	}
	return out
}

// sampleSteps picks the steps a chart of several runs' histories shows, as
// MLflow's server picks them: every step in [start, end] when there are at
// most maxResults of them, else maxResults steps evenly spaced through the
// sorted distinct steps plus the last; in both cases each run's first and
// last step in range are kept, so that no line loses its ends. Without a
// range, it is [0, the largest step]. The steps come sorted, each once.
func sampleSteps(histories [][]store.Metric, maxResults int, start, end *int64) []int64 {
	n := 0
	for _, pts := range histories {
		n += len(pts)
	}
	// A sorted slice rather than a set: histories come in step order, which
	// the sort finds at once, and a hundred thousand steps fit in one array.
	all := make([]int64, 0, n)
	var ends []int64
	for _, pts := range histories {
		if len(pts) == 0 {
			continue
		}
		lo, hi := pts[0].Step, pts[0].Step
		for _, p := range pts {
			all = append(all, p.Step)
			lo, hi = min(lo, p.Step), max(hi, p.Step)
		}
		ends = append(ends, lo, hi)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	var from, to int64
	if start != nil {
		from, to = *start, *end
	} else if len(all) > 0 {
		to = all[len(all)-1]
	}
	var out []int64
	for _, e := range ends {
		if from <= e && e <= to {
			out = append(out, e)
		}
	}
	i := sort.Search(len(all), func(k int) bool { return all[k] >= from })
	j := sort.Search(len(all), func(k int) bool { return all[k] > to })
	if j-i <= maxResults {
		out = append(out, all[i:j]...)
	} else {
		interval := float64(j-i) / float64(maxResults)
		for k := range maxResults {
			if idx := i + int(float64(k)*interval); idx < j {
				out = append(out, all[idx])
			}
		}
		out = append(out, all[j-1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}
