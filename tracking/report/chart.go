package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/grove-ml/grove/tracking/store"
)

// xKind is what a chart's x axis measures.
type xKind int

const (
	xStep     xKind = iota // the metric's step
	xRunOrder              // the run's place in start order, from 1
	xParam                 // the run's value of a param
)

// xChoice is the x axis of one chart.
type xChoice struct {
	kind  xKind
	param string
}

// label names the axis under the chart and in the tooltip.
func (x xChoice) label() string {
	switch x.kind {
	case xRunOrder:
		return "run (start order)"
	case xParam:
		return x.param
	}
	return "step"
}

// autoTestSize is the param the automatic x axis prefers: grove's runs sweep it.
const autoTestSize = "test_size"

// autoX returns the x axis for a metric logged once per run: test_size, else
// the only numeric param that differs between the runs that logged it, else
// run start order.
func autoX(d *Data, metric string) xChoice {
	type stat struct {
		runs    int
		numeric bool
		values  map[float64]bool
	}
	stats := map[string]*stat{}
	withMetrics := 0
	for _, r := range d.Runs {
		if len(r.Metrics[metric]) == 0 {
			continue
		}
		withMetrics++
		for _, p := range r.Params {
			s := stats[p.Key]
			if s == nil {
				s = &stat{numeric: true, values: map[float64]bool{}}
				stats[p.Key] = s
			}
			s.runs++
			v, ok := parseNumber(p.Value)
			if !ok {
				s.numeric = false
				continue
			}
			s.values[v] = true
		}
	}
	var candidates []string
	for key, s := range stats {
		// A param every run with the metric has, numeric and varying, orders the runs.
		if s.runs == withMetrics && s.numeric && len(s.values) >= 2 {
			candidates = append(candidates, key)
		}
	}
	slices.Sort(candidates)
	switch {
	case slices.Contains(candidates, autoTestSize):
		return xChoice{kind: xParam, param: autoTestSize}
	case len(candidates) == 1:
		return xChoice{kind: xParam, param: candidates[0]}
	}
	return xChoice{kind: xRunOrder}
}

// parseNumber reads a param value as a finite number.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// hasHistory reports whether some run logged key at two or more steps.
func hasHistory(d *Data, key string) bool {
	for _, r := range d.Runs {
		pts := r.Metrics[key]
		for i := 1; i < len(pts); i++ {
			if pts[i].Step != pts[0].Step {
				return true
			}
		}
	}
	return false
}

// metricKeys returns every metric key of every run, sorted.
func metricKeys(d *Data) []string {
	set := map[string]bool{}
	for _, r := range d.Runs {
		for k := range r.Metrics {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// seriesNames gives each run the legend name it is shown under: its run name,
// with the start of its run id added when two runs share a name, because
// ECharts toggles every series of one legend name together.
func seriesNames(d *Data) []string {
	base := make([]string, len(d.Runs))
	count := map[string]int{}
	for i, r := range d.Runs {
		base[i] = cmp.Or(r.Info.RunName, r.Info.RunID)
		count[base[i]]++
	}
	names := make([]string, len(d.Runs))
	short := map[string]int{}
	for i, r := range d.Runs {
		names[i] = base[i]
		if count[base[i]] > 1 {
			id := r.Info.RunID
			if len(id) > 8 {
				id = id[:8]
			}
			names[i] = base[i] + " (" + id + ")"
			short[names[i]]++
		}
	}
	for i, r := range d.Runs {
		if short[names[i]] > 1 { // ids alike in their first digits: the whole id tells them apart
			names[i] = base[i] + " (" + r.Info.RunID + ")"
		}
	}
	return names
}

// palette gives each run one color in every chart and in the runs table
// (Tableau 10, told apart by most color-blind readers). Left to ECharts, a
// run's color would follow its place among the runs that logged a metric,
// and change from chart to chart.
var palette = [...]string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

func runColor(i int) string { return palette[i%len(palette)] }

// The option types below wrap go-echarts' opts and charts types only to add
// the ECharts fields they lack; encoding/json flattens the embedded structs.

type option struct {
	Animation bool        `json:"animation"`
	Title     opts.Title  `json:"title"`
	Legend    opts.Legend `json:"legend"`
	Tooltip   tooltip     `json:"tooltip"`
	Toolbox   toolbox     `json:"toolbox"`
	Grid      opts.Grid   `json:"grid"`
	DataZoom  []dataZoom  `json:"dataZoom"`
	XAxis     xAxis       `json:"xAxis"`
	YAxis     yAxis       `json:"yAxis"`
	Series    []series    `json:"series"`
}

// legendMaxRuns is the most runs a chart lists in its own legend. Laying out
// hundreds of legend entries in every chart took most of the drawing time
// (measured at 500 runs); above this the page's runs panel is the one
// legend, toggling a run in every chart at once.
const legendMaxRuns = 40

// symbolMaxPoints is the most points a chart marks with a symbol; past it
// the lines carry the shape and symbols only cost time (at 500 runs x 100
// steps they made drawing some six times slower).
const symbolMaxPoints = 3000

// toolbox replaces go-echarts' feature list, whose data zoom tool writes
// "icon": null and "title": null, which hides the tool's buttons.
type toolbox struct {
	opts.Toolbox
	Feature toolboxFeature `json:"feature"`
}

type toolboxFeature struct {
	DataZoom    toolboxTool `json:"dataZoom"`
	Restore     toolboxTool `json:"restore"`
	SaveAsImage toolboxTool `json:"saveAsImage"`
}

type toolboxTool struct {
	Show bool `json:"show"`
}

// Value axes get a margin beyond the data (BoundaryGap), so a point at
// the smallest or largest value is drawn whole, not cut by the axis.
type xAxis struct {
	opts.XAxis
	BoundaryGap any `json:"boundaryGap,omitempty"`
}

type yAxis struct {
	opts.YAxis
	BoundaryGap any `json:"boundaryGap,omitempty"`
}

type tooltip struct {
	opts.Tooltip
	// Confine keeps the tooltip inside the chart, so it is never cut off at
	// the page's edge.
	Confine bool `json:"confine,omitempty"`
}

type dataZoom struct {
	opts.DataZoom
	// ZoomOnMouseWheel "ctrl" leaves the wheel to scroll the page, which
	// holds many charts, unless Ctrl is held.
	ZoomOnMouseWheel string `json:"zoomOnMouseWheel,omitempty"`
	MoveOnMouseWheel bool   `json:"moveOnMouseWheel,omitempty"`
}

type series struct {
	charts.SingleSeries
	// Sampling "lttb" keeps the shape of long histories while drawing few points.
	Sampling string `json:"sampling,omitempty"`
}

// chart is one metric's chart: what the page script needs to draw it.
type chart struct {
	ID     string `json:"id"`     // the element the chart is drawn in
	Metric string `json:"metric"` // metric key, for the tooltip
	X      string `json:"x"`      // x axis label, for the tooltip
	Option option `json:"option"`

	note string // shown under the chart as HTML text
}

// buildChart draws metric key of every run against x.
func buildChart(d *Data, names []string, key, id string, x xChoice) chart {
	c := chart{ID: id, Metric: key, X: x.label()}
	var (
		ser       []series
		categ     bool     // x is a param with a non-numeric value: a category axis
		cats      []string // its categories, in axis order
		runs      int
		points    int
		missing   int // runs that logged key but lack the param
		nonFinite int // NaN and ±Inf points, drawn as gaps
		thinned   int // runs whose history was thinned to maxSeriesPoints
	)
	if x.kind == xParam {
		cats, categ = paramCategories(d, key, x.param)
	}
	for i, r := range d.Runs {
		pts := r.Metrics[key]
		if len(pts) == 0 {
			continue
		}
		var (
			data any
			n    = 1
		)
		switch x.kind {
		case xStep:
			if len(pts) > maxSeriesPoints {
				pts = thin(pts, maxSeriesPoints)
				thinned++
			}
			data, n = stepPoints(pts, &nonFinite), len(pts)
		case xRunOrder:
			last := pts[len(pts)-1]
			data = [][]any{{i + 1, finite(last.Value, &nonFinite), last.Step}}
		case xParam:
			v, ok := paramOf(r, x.param)
			if !ok {
				missing++
				continue
			}
			last := pts[len(pts)-1]
			var xv any = v
			if !categ {
				xv, _ = parseNumber(v)
			}
			data = [][]any{{xv, finite(last.Value, &nonFinite), last.Step}}
		}
		runs++
		points += n
		s := series{SingleSeries: charts.SingleSeries{
			Name:     names[i],
			Id:       r.Info.RunID,
			Type:     "line",
			Color:    runColor(i),
			Data:     data,
			Emphasis: &opts.Emphasis{Focus: "series"},
		}}
		if x.kind == xStep {
			s.Sampling = "lttb"
		} else {
			s.SymbolSize = 9
		}
		ser = append(ser, s)
	}
	if x.kind == xStep && points > symbolMaxPoints {
		for i := range ser {
			ser[i].ShowSymbol = opts.Bool(false)
		}
	}
	// One point per run is picked by pointing at it; a history is read along
	// the x axis, where the tooltip lists the runs nearest the pointer.
	trigger := "item"
	if x.kind == xStep {
		trigger = "axis"
	}
	lg := opts.Legend{
		Type: "scroll", Orient: "vertical", Right: "8", Top: "48", Bottom: "16",
		TextStyle: &opts.TextStyle{Width: 150, Overflow: "truncate"},
	}
	gridRight := "200"
	if runs > legendMaxRuns {
		// Kept but hidden: it holds which runs are shown, for the runs panel.
		lg = opts.Legend{Show: opts.Bool(false)}
		gridRight = "24"
	}

	xa := xAxis{XAxis: opts.XAxis{Type: "value", Name: x.label(), NameLocation: "middle", NameGap: 28, Scale: opts.Bool(true)}}
	switch {
	case categ:
		xa.Type, xa.Data, xa.Scale = "category", cats, nil
	case x.kind == xStep:
		xa.MinInterval = 1 // steps are whole
	case x.kind == xRunOrder:
		xa.MinInterval = 1
		xa.BoundaryGap = []string{"4%", "4%"}
	default:
		xa.BoundaryGap = []string{"4%", "4%"}
	}
	c.Option = option{
		Animation: false, // hundreds of runs animate slowly and the page must settle fast
		Title:     opts.Title{Title: key, Subtitle: plural(runs, "run") + ", x: " + x.label(), Left: "left"},
		Legend:    lg,
		Tooltip:   tooltip{Tooltip: opts.Tooltip{Trigger: trigger}, Confine: true},
		Toolbox: toolbox{Toolbox: opts.Toolbox{Right: gridRight}, Feature: toolboxFeature{
			DataZoom: toolboxTool{Show: true}, Restore: toolboxTool{Show: true}, SaveAsImage: toolboxTool{Show: true},
		}},
		Grid: opts.Grid{Left: "64", Right: gridRight, Top: "72", Bottom: "84", ContainLabel: opts.Bool(true)},
		DataZoom: []dataZoom{
			{DataZoom: opts.DataZoom{Type: "inside", XAxisIndex: 0, FilterMode: "none"}, ZoomOnMouseWheel: "ctrl"},
			{DataZoom: opts.DataZoom{Type: "slider", XAxisIndex: 0, FilterMode: "none"}},
		},
		XAxis:  xa,
		YAxis:  yAxis{YAxis: opts.YAxis{Type: "value", Scale: opts.Bool(true)}, BoundaryGap: []string{"5%", "5%"}},
		Series: ser,
	}
	var notes []string
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%s without param %s left out", plural(missing, "run"), x.param))
	}
	if nonFinite > 0 {
		notes = append(notes, fmt.Sprintf("%s NaN or infinite, drawn as gaps", plural(nonFinite, "value")))
	}
	if thinned > 0 {
		notes = append(notes, fmt.Sprintf("%s more than %d points; each is drawn through %d that keep its shape", runsHave(thinned), maxSeriesPoints, maxSeriesPoints))
	}
	c.note = strings.Join(notes, "; ")
	return c
}

// maxSeriesPoints is the most points of one run's history a page carries. A
// run that logs a loss every batch can have tens of thousands of steps; at
// 500 such runs the page would weigh hundreds of megabytes and no browser
// would draw it, while a chart a thousand pixels wide shows no more detail.
const maxSeriesPoints = 1000

// Thin returns at most n of pts (n >= 3), sampled as the page samples a long
// history: by largest-triangle-three-buckets over step and value, keeping
// the first and last points, peaks and dips. Points whose value is not
// finite are dropped. pts must be in step order; it is not modified.
func Thin(pts []store.Metric, n int) []store.Metric { return thin(pts, n) }

// thin picks n of pts (n >= 3) by largest-triangle-three-buckets: the first
// and last points, and from each of n-2 equal runs of points between them the
// one that spans the largest triangle with the point kept before it and the
// mean of the next run. Peaks and dips survive, unlike taking every k-th point.
// Points whose value is not finite are dropped first: they cannot be weighed.
func thin(pts []store.Metric, n int) []store.Metric {
	if slices.ContainsFunc(pts, func(p store.Metric) bool { return math.IsNaN(p.Value) || math.IsInf(p.Value, 0) }) {
		pts = slices.DeleteFunc(slices.Clone(pts), func(p store.Metric) bool { return math.IsNaN(p.Value) || math.IsInf(p.Value, 0) })
	}
	if len(pts) <= n || n < 3 {
		return pts
	}
	out := make([]store.Metric, 0, n)
	out = append(out, pts[0])
	every := float64(len(pts)-2) / float64(n-2)
	kept := 0 // index in pts of the last point kept
	for b := 0; b < n-2; b++ {
		lo := int(float64(b)*every) + 1
		hi := int(float64(b+1)*every) + 1
		// The mean of the next run (or the last point, after the last run).
		nlo, nhi := hi, min(int(float64(b+2)*every)+1, len(pts)-1)
		if b == n-3 {
			nlo, nhi = len(pts)-1, len(pts)
		}
		var mx, my float64
		for _, p := range pts[nlo:nhi] {
			mx += float64(p.Step)
			my += p.Value
		}
		mx /= float64(nhi - nlo)
		my /= float64(nhi - nlo)
		ax, ay := float64(pts[kept].Step), pts[kept].Value
		best, bestArea := lo, -1.0
		for j := lo; j < hi; j++ {
			area := math.Abs((ax-mx)*(pts[j].Value-ay) - (ax-float64(pts[j].Step))*(my-ay))
			if area > bestArea {
				best, bestArea = j, area
			}
		}
		out = append(out, pts[best])
		kept = best
	}
	return append(out, pts[len(pts)-1])
}

// stepPoints encodes a history as [[step, value], ...] itself: boxing every
// number for encoding/json took most of Render's time and memory at 500 runs
// x 10 metrics x 100 steps. Numbers are spelled as encoding/json spells them,
// so the page is the same either way.
func stepPoints(pts []store.Metric, nonFinite *int) json.RawMessage {
	b := make([]byte, 0, 2+len(pts)*26)
	b = append(b, '[')
	for j, p := range pts {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, p.Step, 10)
		b = append(b, ',')
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			*nonFinite++
			b = append(b, "null"...)
		} else {
			b = appendFloat(b, p.Value)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendFloat spells f as encoding/json does: plain decimals, exponents only
// for very small or very large magnitudes, with a one-digit negative exponent
// written without its leading zero (1e-7, not 1e-07).
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// runsHave says how many runs' histories a note is about.
func runsHave(n int) string {
	if n == 1 {
		return "the history of 1 run has"
	}
	return fmt.Sprintf("the histories of %d runs have", n)
}

// finite returns v, or nil (a gap in ECharts) when JSON cannot hold it.
func finite(v float64, count *int) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		*count++
		return nil
	}
	return v
}

func paramOf(r RunHistory, key string) (string, bool) {
	for _, p := range r.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// paramCategories returns the sorted values of param among the runs that
// logged metric, and whether any is not a number. Numbers sort numerically so
// 0.5 comes before 10 even on a category axis.
func paramCategories(d *Data, metric, param string) ([]string, bool) {
	set := map[string]bool{}
	categ := false
	for _, r := range d.Runs {
		if len(r.Metrics[metric]) == 0 {
			continue
		}
		if v, ok := paramOf(r, param); ok {
			set[v] = true
			if _, num := parseNumber(v); !num {
				categ = true
			}
		}
	}
	if !categ {
		return nil, false
	}
	vals := make([]string, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b string) int {
		fa, na := parseNumber(a)
		fb, nb := parseNumber(b)
		switch {
		case na && nb:
			return cmp.Or(cmp.Compare(fa, fb), strings.Compare(a, b))
		case na:
			return -1
		case nb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return vals, true
}
