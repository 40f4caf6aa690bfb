// Package report draws every metric of every run of an MLflow experiment as
// one interactive HTML page: the cross-run comparison grove attaches to the
// newest run at the end of each training, as the artifact metrics_report.html.
//
// # How the parts fit
//
// Collect reads an experiment through the store.Store interface only
// (GetExperiment, SearchRuns page by page, GetMetricHistory for each run and
// key), so the page is the same whether runs live in MLflow's SQLite file or
// behind an MLflow server. Render turns that Data into the page; Build is
// Collect then Render; Log builds the page for a run's experiment and puts it
// into that run's artifacts. cmd/report builds it for any experiment without
// training.
//
// # What the page shows
//
// One chart per metric key, in key order; one line per run, named by the run
// name (with the start of the run id added when two runs share a name). The
// x axis is chosen by Options.X: by default a metric logged at several steps
// is drawn against its step, and a metric logged once per run against
// test_size when that param varies, else against the only numeric param that
// varies, else against run start order. The charts zoom, save a PNG and name run, step and value in their
// tooltips; the runs table hides or shows a run in every chart. Very long
// histories are drawn through a sample that keeps peaks and dips, and the
// chart says so. An experiment without runs or metrics gets a page that says
// so.
//
// # Safety and determinism
//
// The chart options are go-echarts' option types encoded by encoding/json,
// which escapes <, > and &, inside a JSON data block of this package's own
// html/template page; go-echarts' own templates are not used. A
// Content-Security-Policy allows only the page's inline scripts, by hash,
// and the tooltip escapes what it shows. The ECharts script (version
// EChartsVersion, Apache-2.0; see echarts/README.md) is embedded, so the page
// loads nothing from the network; ECharts returns that copy and Thin the
// sampling of long histories, so the web UI (tracking/ui) serves the same
// script and draws histories alike. Runs, points, keys and chart ids come in
// a fixed order, so the same runs always give byte-identical pages.
//
// The page's size and drawing time at 500 runs are in bench/README.md.
package report
