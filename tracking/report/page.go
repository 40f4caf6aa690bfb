package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"
)

// mainJS draws the charts from the JSON data block. It is constant, so the
// page's Content-Security-Policy can allow it by hash and refuse any other
// script, including inline event handlers a run name might smuggle in.
//
// The tooltip is the one place a run name becomes HTML (ECharts shows a
// formatter's string as markup), so every value is escaped here. Charts are
// drawn one per task, so the page answers between charts.
const mainJS = `(function () {
"use strict";
var data = JSON.parse(document.getElementById("grove-data").textContent);
var esc = function (s) {
	return String(s).replace(/[&<>"']/g, function (c) {
		return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
	});
};
var show = function (v) { return v === null || v === undefined ? "n/a" : v; };
// num shows a value to 6 significant digits: enough to compare runs, short
// enough to read; the exact value is in MLflow.
var num = function (v) { return typeof v === "number" ? String(Number(v.toPrecision(6))) : show(v); };
var tipMax = 8;
var t0 = performance.now(), left = data.charts.length, all = [], syncing = false;
var boxes = Array.prototype.slice.call(document.querySelectorAll("input.run-toggle"));
var settle = function () {
	left--;
	if (left === data.charts.length - 1) {
		document.documentElement.setAttribute("data-grove-first", String(Math.round(performance.now() - t0)));
	}
	if (left === 0) {
		document.documentElement.setAttribute("data-grove-rendered", String(Math.round(performance.now() - t0)));
	}
};
// setShown shows or hides one run in every chart and ticks its box.
var setShown = function (name, shown) {
	syncing = true;
	all.forEach(function (ch) { ch.dispatchAction({type: shown ? "legendSelect" : "legendUnSelect", name: name}); });
	syncing = false;
	boxes.forEach(function (b) { if (b.value === name) { b.checked = shown; } });
};
var setAll = function (shown) {
	var sel = {};
	boxes.forEach(function (b) { b.checked = shown; sel[b.value] = shown; });
	all.forEach(function (ch) { ch.setOption({legend: {selected: sel}}); });
};
boxes.forEach(function (b) { b.addEventListener("change", function () { setShown(b.value, b.checked); }); });
var on = document.getElementById("runs-all"), off = document.getElementById("runs-none");
if (on) { on.addEventListener("click", function () { setAll(true); }); }
if (off) { off.addEventListener("click", function () { setAll(false); }); }

var itemTip = function (c) {
	return function (p) {
		var v = p.value || [];
		var lines = ["<b>" + esc(p.seriesName) + "</b>", "run " + esc(p.seriesId),
			esc(c.x) + ": " + esc(show(v[0])), esc(c.metric) + ": " + esc(num(v[1]))];
		if (v.length > 2) { lines.push("step: " + esc(show(v[2]))); }
		return lines.join("<br>");
	};
};
// axisTip lists the runs whose value at the pointed step is nearest the
// pointer, so a chart of hundreds of runs still reads one run at a time.
var axisTip = function (c, chart) {
	var py = null;
	chart.getZr().on("mousemove", function (e) {
		var d = chart.convertFromPixel({gridIndex: 0}, [e.offsetX, e.offsetY]);
		py = d ? d[1] : null;
	});
	return function (ps) {
		ps = ps.filter(function (p) { return p.value && p.value[1] !== null && p.value[1] !== undefined; });
		if (!ps.length) { return ""; }
		if (py !== null) {
			ps.sort(function (a, b) { return Math.abs(a.value[1] - py) - Math.abs(b.value[1] - py) || a.seriesIndex - b.seriesIndex; });
		}
		var lines = ["<b>" + esc(c.metric) + "</b> at " + esc(c.x) + " " + esc(show(ps[0].value[0]))];
		ps.slice(0, tipMax).forEach(function (p) {
			lines.push(p.marker + esc(p.seriesName) + ": <b>" + esc(num(p.value[1])) + "</b> <small>run " + esc(p.seriesId) + "</small>");
		});
		if (ps.length > tipMax) { lines.push("and " + (ps.length - tipMax) + " more runs: point nearer a line to see it"); }
		return lines.join("<br>");
	};
};
var draw = function (c) {
	var chart = echarts.init(document.getElementById(c.id), null, {renderer: "canvas"});
	c.option.tooltip.formatter = c.option.tooltip.trigger === "axis" ? axisTip(c, chart) : itemTip(c);
	var once = false;
	chart.on("finished", function () { if (!once) { once = true; settle(); } });
	// A run hidden or shown in one chart's legend is hidden or shown everywhere.
	chart.on("legendselectchanged", function (e) { if (!syncing) { setShown(e.name, !!e.selected[e.name]); } });
	chart.setOption(c.option);
	all.push(chart);
};
var i = 0;
var next = function () {
	if (i < data.charts.length) {
		draw(data.charts[i++]);
		setTimeout(next, 0);
	}
};
next();
window.addEventListener("resize", function () { all.forEach(function (ch) { ch.resize(); }); });
})();
`

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="generator" content="grove tracking/report, ECharts {{.EChartsVersion}}">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1600px; color: #1f2328; }
h1 { font-size: 1.4em; margin: 0 0 4px; overflow-wrap: anywhere; }
.summary { color: #59636e; margin: 0 0 12px; }
nav { margin: 0 0 12px; line-height: 1.8; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; white-space: nowrap; }
.layout.side { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 16px; align-items: start; }
.layout.side aside { position: sticky; top: 0; max-height: 100vh; overflow: auto; }
.box { border: 1px solid #d1d9e0; border-radius: 6px; margin: 0 0 16px; padding: 8px; }
.chart { width: 100%; height: 460px; }
.note { color: #9a6700; margin: 4px 8px; font-size: 0.9em; }
.note::first-letter { text-transform: uppercase; }
.empty { font-size: 1.1em; padding: 24px; background: #f6f8fa; border-radius: 6px; }
summary { font-weight: 600; margin: 4px 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #d1d9e0; vertical-align: top; }
td.name { overflow-wrap: anywhere; max-width: 420px; }
td.id { font-family: ui-monospace, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.hint { color: #59636e; font-size: 0.85em; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-left: 4px; }
button { font: inherit; font-size: 0.85em; margin: 0 6px 6px 0; }
</style>
</head>
<body>
<h1>{{.Heading}}</h1>
<p class="summary">{{.Summary}}</p>
{{- if .Empty}}
<p class="empty">{{.Empty}}</p>
{{- else}}
<p class="hint">{{.Hint}}</p>
<nav>{{range .Charts}}<a href="#{{.ID}}">{{.Metric}}</a>{{end}}</nav>
{{- end}}
<div class="layout{{if .Side}} side{{end}}">
<main>
{{- range .Charts}}
<section class="box"><div id="{{.ID}}" class="chart" role="img" aria-label="chart of metric {{.Metric}} against {{.X}}"></div>
{{- with .Note}}
<p class="note">{{.}}</p>
{{- end}}
</section>
{{- end}}
</main>
{{- if .Runs}}
<aside>
<details{{if .RunsOpen}} open{{end}}>
<summary>Runs ({{len .Runs}})</summary>
{{- if .Charts}}
<button type="button" id="runs-all">show all</button><button type="button" id="runs-none">hide all</button>
{{- end}}
<table>
<thead><tr>{{if .Charts}}<th>shown</th>{{end}}<th>#</th><th>run name</th><th>run id</th>{{if not .Side}}<th>status</th><th>started</th>{{end}}{{range .ParamColumns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Runs}}
<tr>{{if $.Charts}}<td><input type="checkbox" class="run-toggle" value="{{.Name}}" aria-label="show run" checked><span class="swatch" style="background: {{.Color}}"></span></td>{{end}}<td>{{.N}}</td><td class="name">{{.Name}}</td><td class="id">{{.ID}}</td>{{if not $.Side}}<td>{{.Status}}</td><td>{{.Started}}</td>{{end}}{{range .Params}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
</details>
</aside>
{{- end}}
</div>
{{- if .Charts}}
<script type="application/json" id="grove-data">{{.Data}}</script>
<script>{{.ECharts}}</script>
<script>{{.Main}}</script>
{{- end}}
</body>
</html>
`))

// page is what the template fills in.
type page struct {
	CSP, Title, Heading, Summary, Empty string
	Hint                                string
	Side                                bool // many runs: the runs panel beside the charts is the legend
	EChartsVersion                      string
	Charts                              []chartView
	Runs                                []runRow
	RunsOpen                            bool
	ParamColumns                        []string
	Data, ECharts, Main                 template.JS
}

type chartView struct{ ID, Metric, X, Note string }

type runRow struct {
	N                         int
	Name, ID, Status, Started string
	Color                     string
	Params                    []string
}

// openRunsTable is the most runs whose table is shown unfolded.
const openRunsTable = 20

func newPage(d *Data, o Options) (*page, error) {
	forced, err := o.validate()
	if err != nil {
		return nil, err
	}
	expName := d.Experiment.Name
	if expName == "" {
		expName = d.Experiment.ID
	}
	p := &page{
		Title:          expName + " - " + plural(len(d.Runs), "run") + " - grove metrics",
		Heading:        o.Title,
		EChartsVersion: EChartsVersion,
		RunsOpen:       len(d.Runs) <= openRunsTable,
	}
	if p.Heading == "" {
		p.Heading = "Metrics of experiment " + expName
	}

	keys := metricKeys(d)
	names := seriesNames(d)
	var (
		charts   []chart
		onceX    = map[string]bool{} // x labels of charts of metrics logged once per run
		onceDesc string
		params   []string // params used as x, shown as columns of the runs table
	)
	for i, key := range keys {
		var x xChoice
		switch {
		case o.X == XStep:
			x = xChoice{kind: xStep}
		case o.X == XRun:
			x = xChoice{kind: xRunOrder}
		case forced != "":
			x = xChoice{kind: xParam, param: forced}
		case hasHistory(d, key):
			// Under auto a history is drawn against its steps.
			x = xChoice{kind: xStep}
		default:
			x = autoX(d, key)
		}
		if x.kind != xStep && !onceX[x.label()] {
			onceX[x.label()] = true
			onceDesc = x.label()
			if x.kind == xParam {
				params = append(params, x.param)
			}
		}
		c := buildChart(d, names, key, "chart-"+strconv.Itoa(i+1), x)
		charts = append(charts, c)
		p.Charts = append(p.Charts, chartView{ID: c.ID, Metric: key, X: c.X, Note: c.note})
	}
	slices.Sort(params)
	p.ParamColumns = params
	p.Side = len(d.Runs) > legendMaxRuns
	p.RunsOpen = p.RunsOpen || p.Side
	p.Hint = "Click a run in a legend or tick it in the runs table to hide or show it in every chart; drag the slider under a chart, " +
		"or hold Ctrl and scroll over it, to zoom; point at a line for its run, step and value."
	if p.Side {
		p.Hint = "Tick runs in the panel on the right to hide or show them in every chart; drag the slider under a chart, " +
			"or hold Ctrl and scroll over it, to zoom; point at a line for the runs nearest the pointer."
	}

	for i, r := range d.Runs {
		row := runRow{N: i + 1, Name: names[i], ID: r.Info.RunID, Status: string(r.Info.Status), Color: runColor(i)}
		if r.Info.StartTime > 0 {
			row.Started = time.UnixMilli(r.Info.StartTime).UTC().Format("2006-01-02 15:04:05 UTC")
		}
		for _, key := range params {
			v, _ := paramOf(r, key)
			row.Params = append(row.Params, v)
		}
		p.Runs = append(p.Runs, row)
	}

	switch {
	case len(d.Runs) == 0:
		p.Summary = "0 runs"
		p.Empty = "This experiment has no runs yet, so there is nothing to chart."
	case len(keys) == 0:
		p.Summary = plural(len(d.Runs), "run") + ", no metrics"
		p.Empty = "The runs of this experiment have logged no metrics yet, so there is nothing to chart."
	default:
		p.Summary = d.Summary()
		if len(onceX) == 1 {
			p.Summary += "; metrics logged once per run are drawn against " + onceDesc
		}
	}

	if len(charts) == 0 {
		p.CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
		return p, nil
	}
	data, err := json.Marshal(struct {
		Charts []chart `json:"charts"`
	}{charts})
	if err != nil {
		return nil, fmt.Errorf("report: encode charts of experiment %s: %w", d.Experiment.ID, err)
	}
	// encoding/json escapes <, > and & in every string, so no value can end
	// the script element; check anyway, since the guarantee is what keeps
	// run names from becoming markup.
	if err := scriptSafe(data); err != nil {
		return nil, err
	}
	p.Data = template.JS(data)
	p.ECharts = template.JS(echartsJS)
	p.Main = template.JS(mainJS)
	p.CSP = "default-src 'none'; script-src " + cspHash(echartsJS) + " " + cspHash(mainJS) +
		"; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'"
	return p, nil
}

// scriptSafe reports an error if b could end or confuse the script element it
// is written into.
func scriptSafe(b []byte) error {
	low := bytes.ToLower(b)
	for _, bad := range []string{"</script", "<!--", "<script"} {
		if bytes.Contains(low, []byte(bad)) {
			return fmt.Errorf("report: chart data contains %q", bad)
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (p *page) write(w io.Writer) error {
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: render page: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write page: %w", err)
	}
	return nil
}
