package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

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
			data, n = StepPoints(pts, &nonFinite), len(pts)
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

// runsHave says how many runs' histories a note is about.
func runsHave(n int) string {
	if n == 1 {
		return "the history of 1 run has"
	}
	return fmt.Sprintf("the histories of %d runs have", n)
}
