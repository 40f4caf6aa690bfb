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
// x axis is chosen by Options.X; by default a metric some run logged at two
// or more steps is drawn against its step, and a metric logged once per run
// (grove's usual case: test_accuracy_score per test size) against test_size
// when that param varies among the runs that logged it, else against the only
// numeric param that varies, else against run start order. A slider and
// Ctrl+wheel zoom the x axis, the toolbox zooms a box, resets and saves a
// PNG, and the tooltip names run, run id, step and value (on a history, for
// the runs nearest the pointer). Up to 40 runs each chart has a scrolling
// legend; the runs table's tick boxes, or a click in any legend, hide or show
// a run in every chart. Past 40 runs the table stands beside the charts as
// the one legend. A history longer than 1000 points is drawn through 1000 of
// them chosen by largest-triangle-three-buckets sampling, which keeps peaks
// and dips, and the chart says so. An experiment with no runs, or runs
// without metrics, gets a page that says so.
//
// # Safety and determinism
//
// The chart options are go-echarts' option types (packages opts and charts)
// encoded by encoding/json, which escapes <, > and & in every string, and put
// into a JSON data block of this package's own html/template page; go-echarts'
// templates are not used, since they write names unescaped into a script and
// turn "__f__...__f__" strings into live JavaScript. The page's
// Content-Security-Policy allows only its two inline scripts by hash, so even
// an injected element could not run code. The tooltip escapes what it shows.
//
// The ECharts script (npm package echarts, version EChartsVersion, Apache-2.0;
// see echarts/README.md for its licence files and how to refresh it) is
// embedded with go:embed and inlined: the page loads nothing from the network.
// ECharts returns that copy and Thin the sampling of long histories, so the
// web UI (tracking/ui) serves the same script and draws histories alike.
// Runs are sorted by start time and run id, points by step, keys by name, and
// chart ids are numbered, so the same runs always give byte-identical pages.
//
// # Size and speed
//
// The embedded script makes every page about 1.1 MB; a sweep of 5 runs x 14
// scores is 1.16 MB. At 500 runs x 10 metrics x 100 steps Collect reads the
// runs from MLflow's SQLite file in about 2.5 s (BenchmarkCollectSQLite), the
// page is 14 MB, Render takes about 0.5 s (BenchmarkRender), and headless Chromium 156 draws
// the first chart 1 to 1.4 s after the script starts and all ten in about 7 s
// (BenchmarkBrowserRender, on a 2-core machine shared with other work at a
// load average of 8 to 10; an idle machine is faster). Charts are drawn one per task, so the page scrolls and answers
// while the rest are drawn. Past 40 runs the per-chart legends give way to
// the runs panel, and past 3000 points a chart draws no point symbols: with
// both, the same page took 87 s.
package report
