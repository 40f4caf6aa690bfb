package ui

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/store"
)

// maxCompareRuns is the most runs one history request or compare page
// takes, as MLflow's get-history-bulk-interval.
const maxCompareRuns = 100

// Many runs share a chart's budget of points, chartPoints, each keeping at
// least minRunPoints: a hundred lines of a hundred points each still show
// every curve's shape on a chart a few hundred pixels wide, and draw in a
// fraction of the time.
const (
	chartPoints  = 10_000
	minRunPoints = 100
)

// historyJSON is what the charts' script draws: sampled points of one
// metric for each run.
type historyJSON struct {
	Key    string         `json:"key"`
	Series []seriesJSON   `json:"series"`
	Errors []string       `json:"errors,omitempty"`
	Status map[string]any `json:"status,omitempty"`
}

type seriesJSON struct {
	Run     string          `json:"run"`
	Name    string          `json:"name"`
	Total   int             `json:"total"`  // points logged
	Points  json.RawMessage `json:"points"` // [[step, value], ...], value null when not finite
	Running bool            `json:"running,omitempty"`
}

// history answers the charts: the history of metric key for each run=
// (at most maxCompareRuns), sampled as MLflow's get-history-bulk-interval
// samples them (server.SampleHistories): the same steps for every run, at
// most the chart's budget of them, so a history of 100,000 points arrives as
// a few thousand and draws at once, and looks as it does in MLflow's UI.
// start_step and end_step, given together, sample only that range, as a
// zoomed chart asks for it.
func (h *handler) history(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	key, runs := q.Get("key"), q["run"]
	if key == "" || len(runs) == 0 || len(runs) > maxCompareRuns {
		http.Error(w, "ui: history needs key= and 1 to 100 run=", http.StatusBadRequest)
		return
	}
	start, end, err := stepRange(q.Get("start_step"), q.Get("end_step"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	budget := h.opts.MaxPoints
	if len(runs) > 1 {
		budget = min(h.opts.MaxPoints, max(minRunPoints, chartPoints/len(runs)))
	}
	out := historyJSON{Key: key, Series: []seriesJSON{}}
	var histories [][]store.Metric
	for _, id := range runs {
		run, err := h.st.GetRun(ctx, id)
		if err != nil {
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		pts, err := h.st.GetMetricHistory(ctx, id, key)
		if err != nil {
			out.Errors = append(out.Errors, err.Error())
			continue
		}
		total := len(pts)
		if start != nil {
			total = 0
			for _, p := range pts {
				if *start <= p.Step && p.Step <= *end {
					total++
				}
			}
		}
		histories = append(histories, pts)
		out.Series = append(out.Series, seriesJSON{Run: id, Name: cmpOr(run.Info.RunName, id), Total: total,
			Running: run.Info.Status == store.StatusRunning})
	}
	for i, pts := range server.SampleHistories(histories, budget, start, end) {
		out.Series[i].Points = report.StepPoints(pts, nil)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// stepRange reads a zoomed chart's range of steps: both bounds or neither.
func stepRange(from, to string) (start, end *int64, err error) {
	if from == "" && to == "" {
		return nil, nil, nil
	}
	a, err1 := strconv.ParseInt(from, 10, 64)
	b, err2 := strconv.ParseInt(to, 10, 64)
	if err1 != nil || err2 != nil || a > b {
		return nil, nil, fmt.Errorf("ui: start_step and end_step must be two steps in order, got %q and %q", from, to)
	}
	return &a, &b, nil
}

// chart serves tracking/report's cross-run page of an experiment. The page
// carries its own policy for its inline scripts; the response sandboxes it
// in an opaque origin, as any HTML artifact.
func (h *handler) chart(w http.ResponseWriter, r *http.Request) {
	page, err := report.Build(r.Context(), h.st, r.PathValue("id"), report.Options{X: r.URL.Query().Get("x")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox allow-scripts")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

// comparePage shows picked runs side by side.
type comparePage struct {
	base
	Runs     []compareRun
	Params   []compareRow
	Metrics  []compareRow
	OnlyDiff bool
	X        string      // the param single-value metrics are drawn against
	XChoices []string    // params whose values differ, numeric first
	Steps    []string    // metrics with a history: a chart each, against step
	Singles  []string    // metrics logged once: a chart each, against X
	Data     template.JS // JSON for the single-value charts
	RunQuery string      // run=...&run=... for the history requests
	Missing  []string
	Dropped  int // runs picked past maxCompareRuns, not shown
}

type compareRun struct{ ID, Name, URL string }

type compareRow struct {
	Key    string
	Values []string
	Differ bool
}

// compare shows the params and metrics of the runs picked in the runs
// table, and a chart per metric.
func (h *handler) compare(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	ids := slices.Compact(q["runs"])
	p := comparePage{base: h.base(ctx, "Compare runs", "")}
	if len(ids) > maxCompareRuns {
		p.Dropped = len(ids) - maxCompareRuns
		ids = ids[:maxCompareRuns]
	}
	var runs []*store.Run
	for _, id := range ids {
		run, err := h.st.GetRun(ctx, id)
		if err != nil {
			p.Missing = append(p.Missing, id)
			continue
		}
		runs = append(runs, run)
		p.Runs = append(p.Runs, compareRun{ID: id, Name: cmpOr(run.Info.RunName, id), URL: "/runs/" + id})
	}
	if len(runs) > 0 {
		p.Current = runs[0].Info.ExperimentID
	}
	params, metrics := keysOf(runs)
	steps := map[string]bool{}
	for _, k := range params {
		row := compareRow{Key: k}
		for _, run := range runs {
			v, _ := run.Param(k)
			row.Values = append(row.Values, v)
		}
		row.Differ = differ(row.Values)
		p.Params = append(p.Params, row)
		if row.Differ {
			p.XChoices = append(p.XChoices, k)
		}
	}
	for _, k := range metrics {
		row := compareRow{Key: k}
		for _, run := range runs {
			m, ok := run.Metric(k)
			switch {
			case !ok:
				row.Values = append(row.Values, "")
			default:
				row.Values = append(row.Values, short(m.Value))
				if m.Step != 0 {
					steps[k] = true
				}
			}
		}
		row.Differ = differ(row.Values)
		p.Metrics = append(p.Metrics, row)
		if steps[k] {
			p.Steps = append(p.Steps, k)
		} else {
			p.Singles = append(p.Singles, k)
		}
	}
	slices.SortStableFunc(p.XChoices, func(a, b string) int { return cmp.Compare(b01(numericParam(runs, a)), b01(numericParam(runs, b))) })
	p.X = q.Get("x")
	if !slices.Contains(params, p.X) {
		p.X = ""
		if slices.Contains(p.XChoices, "test_size") {
			p.X = "test_size"
		} else if len(p.XChoices) > 0 {
			p.X = p.XChoices[0]
		}
	}
	p.Data = singlesJSON(runs, p.Singles, p.X)
	h.render(w, r, http.StatusOK, "compare", p)
}

func differ(vs []string) bool {
	for _, v := range vs[1:] {
		if v != vs[0] {
			return true
		}
	}
	return false
}

// numericParam reports whether every run's value of param k is a number.
func numericParam(runs []*store.Run, k string) bool {
	for _, run := range runs {
		v, ok := run.Param(k)
		if _, err := strconv.ParseFloat(v, 64); ok && err != nil {
			return false
		}
	}
	return true
}

// singleChart is one metric logged once per run, drawn as one line through
// the runs ordered by param x.
type singleChart struct {
	Key     string   `json:"key"`
	X       string   `json:"x"`
	Numeric bool     `json:"numeric"`
	Points  [][3]any `json:"points"` // [x, value, run name]
}

// singlesJSON draws each single-value metric against param x, runs ordered
// by x (numerically when every x is a number), or against run order when no
// param differs.
func singlesJSON(runs []*store.Run, keys []string, x string) template.JS {
	numeric := x == "" || numericParam(runs, x)
	var charts []singleChart
	for _, k := range keys {
		c := singleChart{Key: k, X: cmpOr(x, "run"), Numeric: numeric, Points: [][3]any{}}
		type pt struct {
			x    string
			xv   float64
			v    any
			name string
		}
		var pts []pt
		for i, run := range runs {
			m, ok := run.Metric(k)
			if !ok {
				continue
			}
			var xs string
			if x == "" {
				xs = strconv.Itoa(i + 1)
			} else if xs, ok = run.Param(x); !ok {
				continue
			}
			xv, _ := strconv.ParseFloat(xs, 64)
			var v any
			if !math.IsNaN(m.Value) && !math.IsInf(m.Value, 0) {
				v = m.Value
			}
			pts = append(pts, pt{xs, xv, v, cmpOr(run.Info.RunName, run.Info.RunID)})
		}
		slices.SortStableFunc(pts, func(a, b pt) int {
			if numeric {
				return cmp.Compare(a.xv, b.xv)
			}
			return strings.Compare(a.x, b.x)
		})
		for _, p := range pts {
			var xv any = p.x
			if numeric {
				xv = p.xv
			}
			c.Points = append(c.Points, [3]any{xv, p.v, p.name})
		}
		charts = append(charts, c)
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(charts) // escapes <, > and &: safe in a script element
	return template.JS(b.String())
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}
