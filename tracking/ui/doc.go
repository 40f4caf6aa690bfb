// Package ui is grove's web UI: the runs of an MLflow store in a browser,
// laid out as MLflow's own UI lays them out, from the same Go binary and
// with nothing loaded from the network.
//
// New returns an http.Handler over any store.Store. It serves
//
//	/                                the experiments, with their runs and tags
//	/experiments/{id}                an experiment's runs table
//	/experiments/{id}/chart          tracking/report's chart of every run
//	/runs/{id}                       a run's overview
//	/runs/{id}/metrics               a chart per metric history
//	/runs/{id}/artifacts?path=       the artifact tree and one file's preview
//	/runs/{id}/artifact?path=        the file itself (download=1: as attachment)
//	/history?key=&run=               sampled histories, as the charts draw them
//	         &start_step=&end_step=  (a zoomed chart's range)
//	/compare?runs=                   picked runs side by side
//	/static/{name}                   the embedded script, style and ECharts
//
// and beside every page the list of experiments. Forms post to
// /runs/{id}/rename, /runs/{id}/tags, /runs/{id}/tags/delete,
// /runs/{id}/delete, /runs/{id}/restore and /experiments/{id}/rename; a post
// whose Origin header is not the UI's own is refused, so another site cannot
// make a visitor's browser change runs. The others are sent on, in process,
// to MLflow's API (tracking/server), so that an edit is checked and written
// as a client's request is, and fails with MLflow's message. Deleting,
// restoring and renaming an experiment need a store that implements
// store.Manager. MLflow's links
// (/#/experiments/{id}, /#/experiments/{id}/runs/{run id}) open the same
// pages. cmd/server mounts it at "/" beside MLflow's REST API, and gives it
// the API's artifact root (Options.ArtifactRoot), under which the
// mlflow-artifacts:/ locations of runs logged through MLflow's own server
// are found as tracking/server finds them (artifact.ProxiedPath).
//
// # How the parts fit
//
// Pages are html/template files (templates/) filled in on the server: the
// store sorts, filters and pages the runs table (store.RunQuery's Filter,
// OrderBy, ViewType and page token, MLflow's search syntax), so a browser
// never holds more than a page of runs. The store's error for a bad filter
// is shown under the filter box. A little plain JavaScript (static/app.js)
// hides and shows columns, picks runs to compare and follows MLflow's hash
// links; static/charts.js draws charts with the ECharts copy that
// tracking/report embeds, from /history, which samples histories with the
// API's own get-history-bulk-interval sampling (server.SampleHistories: at
// most Options.MaxPoints steps, the same for every run) so that a metric of
// 100,000 points draws as quickly as one of a thousand and looks as it does
// in MLflow's UI; a zoomed chart asks again for the steps in view. The experiments list counts each
// experiment's runs in the background and keeps the count a few seconds.
//
// # Safety
//
// Every name and value (experiment, run, param, metric, tag, artifact) is
// user input: html/template escapes it in every context, and the pages'
// Content-Security-Policy allows no inline script at all, only the UI's own
// files. Artifact paths go through artifact.CleanPath. Artifacts are served
// under a sandboxing policy: an HTML artifact runs its script only in an
// opaque origin, framed with sandbox="allow-scripts" (never
// allow-same-origin) and cut off from the network; any other file runs none.
package ui
