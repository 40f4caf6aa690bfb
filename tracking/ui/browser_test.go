package ui_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/browsertest"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

var screenshots = flag.Bool("screenshots", false, "save a screenshot of each page under docs/ at the repository's root")

// shot saves the page as docs/ui-<name>.png when -screenshots is given.
func shot(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	if !*screenshots {
		return
	}
	dir := filepath.Join("..", "..", "docs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b.Screenshot(t, filepath.Join(dir, "ui-"+name+".png"))
}

// visit opens path and waits until its charts, if any, are drawn.
func visit(t *testing.T, b *browsertest.Browser, srv *httptest.Server, path string) {
	t.Helper()
	b.Navigate(t, srv.URL+path)
	if browsertest.Eval[bool](t, b, `document.querySelector("div.chart") !== null`) {
		browsertest.WaitFor(t, b, `document.documentElement.hasAttribute("data-charts-drawn")`, "charts of "+path+" drawn", time.Minute)
	}
}

// clean fails the test if a name became markup, a script from a name ran,
// the console reported an error, or the page asked for anything but the
// UI's own server.
func clean(t *testing.T, b *browsertest.Browser, srv *httptest.Server) {
	t.Helper()
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('img[src="x"], img[onerror]').length`); n != 0 {
		t.Errorf("%d img elements made from a name", n)
	}
	b.CheckClean(t, srv.URL+"/")
}

func text(t *testing.T, b *browsertest.Browser, sel string) string {
	t.Helper()
	return browsertest.Eval[string](t, b, `(function () { var e = document.querySelector(`+browsertest.JSString(sel)+`); return e ? e.textContent : "<missing>"; })()`)
}

// inked counts the pixels of each chart's canvas that are not background.
const inked = `Array.from(document.querySelectorAll("div.chart")).map(function (el) {
	var c = el.querySelector("canvas"), n = 0;
	if (!c) { return 0; }
	var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
	for (var i = 0; i < d.length; i += 4) { if (d[i+3] > 0 && (d[i] < 200 || d[i+1] < 200 || d[i+2] < 200)) n++; }
	return n;
})`

func checkCharts(t *testing.T, b *browsertest.Browser, want int) {
	t.Helper()
	got := browsertest.Eval[[]int](t, b, inked)
	if len(got) != want {
		t.Errorf("%d charts, want %d", len(got), want)
	}
	for i, n := range got {
		if n < 300 {
			note := browsertest.Eval[string](t, b, `(document.querySelectorAll("div.chart")[`+fmt.Sprint(i)+`].parentNode.querySelector(".chart-note") || {}).textContent || ""`)
			t.Errorf("chart %d looks blank: %d inked pixels (note %q)", i, n, note)
		}
	}
}

// TestBrowserHostile opens every page of a store whose every name is
// markup, checks that the names show as text, and that nothing ran.
func TestBrowserHostile(t *testing.T) {
	h := hostileStore(t)
	const bad = "metrics.accuracy >>> " + xss
	srv := serve(t, &recording{Store: h.st, bad: bad}, ui.Options{})
	b := browsertest.New(t, 1400, 900)

	t.Run("experiments", func(t *testing.T) {
		visit(t, b, srv, "/")
		if got := text(t, b, "#experiments tbody"); !strings.Contains(got, xss) {
			t.Errorf("experiments table shows %q, want the name %q", got, xss)
		}
		if got := text(t, b, "ul.exps"); !strings.Contains(got, xss) || !strings.Contains(got, "2 runs") {
			t.Errorf("experiments list shows %q", got)
		}
		clean(t, b, srv)
	})
	t.Run("runs", func(t *testing.T) {
		visit(t, b, srv, "/experiments/"+h.expID)
		if n := browsertest.Eval[int](t, b, `document.querySelectorAll("#runs tbody tr").length`); n != 2 {
			t.Errorf("%d rows, want 2", n)
		}
		names := browsertest.Eval[[]string](t, b, `Array.from(document.querySelectorAll("#runs td.name")).map(function (e) { return e.textContent; })`)
		if strings.Join(names, "|") != "second "+xss+"|"+xss {
			t.Errorf("run names %q, want the newest first", names)
		}
		heads := text(t, b, "#runs thead")
		for _, want := range []string{"Parameters", "Metrics", "accuracy", "test_size", xss} {
			if !strings.Contains(heads, want) {
				t.Errorf("headers %q lack %q", heads, want)
			}
		}
		// Hiding a column hides its cells; ticking runs enables Compare.
		hidden := browsertest.Eval[int](t, b, `(function () {
			var box = document.querySelector('input.col-toggle[value="m:accuracy"]');
			box.click();
			return Array.from(document.querySelectorAll('[data-col="m:accuracy"]')).filter(function (c) { return c.offsetParent === null; }).length;
		})()`)
		if hidden != 3 {
			t.Errorf("%d cells of the hidden column are hidden, want 3 (header and two rows)", hidden)
		}
		compare := browsertest.Eval[string](t, b, `(function () {
			document.getElementById("pick-all").click();
			var c = document.getElementById("compare");
			return c.disabled + " " + c.textContent;
		})()`)
		if compare != "false Compare 2 runs" {
			t.Errorf("after ticking every run, the compare button is %q", compare)
		}
		browsertest.Eval[bool](t, b, `(document.querySelector('input.col-toggle[value="m:accuracy"]').click(), true)`) // shown again, remembered
		clean(t, b, srv)
	})
	t.Run("bad filter", func(t *testing.T) {
		visit(t, b, srv, "/experiments/"+h.expID)
		browsertest.Eval[bool](t, b, `(function () {
			document.getElementById("filter").value = `+browsertest.JSString(bad)+`;
			document.getElementById("search").requestSubmit();
			return true;
		})()`)
		browsertest.WaitFor(t, b, `document.getElementById("filter-error") !== null && document.readyState === "complete"`, "filter error shown", 10*time.Second)
		if got := text(t, b, "#filter-error"); !strings.Contains(got, "Invalid clause(s) in filter string") || !strings.Contains(got, xss) {
			t.Errorf("under the filter box: %q", got)
		}
		if got := browsertest.Eval[string](t, b, `document.getElementById("filter").value`); got != bad {
			t.Errorf("the filter box holds %q, want the filter to correct", got)
		}
		clean(t, b, srv)
		shot(t, b, "filter-error")
	})
	t.Run("sort and filter", func(t *testing.T) {
		names := `Array.from(document.querySelectorAll("#runs td.name a")).map(function (e) { return e.textContent; }).join("|")`
		visit(t, b, srv, "/experiments/"+h.expID)
		clickSort := `(function () { Array.from(document.querySelectorAll("#runs th a.sort")).find(function (a) { return a.textContent.indexOf("test_size") === 0; }).click(); return true; })()`
		browsertest.Eval[bool](t, b, clickSort) // descending: 0.3 first
		browsertest.WaitFor(t, b, `document.readyState === "complete" && location.search.indexOf("DESC") >= 0`, "sorted descending", 10*time.Second)
		browsertest.Eval[bool](t, b, clickSort) // ascending: 0.2 first
		browsertest.WaitFor(t, b, `document.readyState === "complete" && location.search.indexOf("ASC") >= 0`, "sorted ascending", 10*time.Second)
		if got := browsertest.Eval[string](t, b, names); got != xss+"|second "+xss {
			t.Errorf("sorted by test_size ascending: %q", got)
		}
		browsertest.Eval[bool](t, b, `(function () {
			document.getElementById("filter").value = "params.test_size = '0.3'";
			document.getElementById("search").requestSubmit();
			return true;
		})()`)
		browsertest.WaitFor(t, b, `document.readyState === "complete" && location.search.indexOf("filter=") >= 0`, "filtered", 10*time.Second)
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss {
			t.Errorf("filtered by test_size = 0.3: %q", got)
		}
		clean(t, b, srv)
	})
	t.Run("delete and restore", func(t *testing.T) {
		// The in-memory store deletes and restores (store.Manager), which
		// the recording wrapper of srv hides.
		own := serve(t, h.st, ui.Options{})
		visit(t, b, own, "/runs/"+h.run2ID)
		browsertest.Eval[bool](t, b, `(document.getElementById("delete-run").click(), true)`)
		browsertest.WaitFor(t, b, `document.readyState === "complete" && location.pathname === "/experiments/`+h.expID+`" && document.querySelectorAll("#runs tbody tr").length === 1`, "run deleted", 10*time.Second)
		visit(t, b, own, "/experiments/"+h.expID+"?view=deleted")
		if got := text(t, b, "#runs tbody"); !strings.Contains(got, "second "+xss) {
			t.Errorf("deleted runs %q", got)
		}
		shot(t, b, "deleted")
		browsertest.Eval[bool](t, b, `(document.querySelector("button.restore").click(), true)`)
		browsertest.WaitFor(t, b, `document.readyState === "complete" && location.search === "?view=deleted" && document.querySelector("#runs") === null`, "run restored", 10*time.Second)
		clean(t, b, own)
		visit(t, b, own, "/experiments/"+h.expID)
		if n := browsertest.Eval[int](t, b, `document.querySelectorAll("#runs tbody tr").length`); n != 2 {
			t.Errorf("%d runs after the restore, want 2", n)
		}
	})
	t.Run("run", func(t *testing.T) {
		visit(t, b, srv, "/runs/"+h.runID)
		if got := text(t, b, "h1"); !strings.Contains(got, xss) {
			t.Errorf("heading %q lacks the run name", got)
		}
		if got := text(t, b, "#params"); !strings.Contains(got, xss) || !strings.Contains(got, "0.2") {
			t.Errorf("params %q", got)
		}
		if got := text(t, b, "#metrics"); !strings.Contains(got, "accuracy") || !strings.Contains(got, "0.9") || !strings.Contains(got, xss) {
			t.Errorf("metrics %q", got)
		}
		if got := text(t, b, "#description"); got != "notes: "+xss {
			t.Errorf("description %q", got)
		}
		if got := text(t, b, "#tags"); !strings.Contains(got, xss) {
			t.Errorf("tags %q", got)
		}
		if got := text(t, b, "#about"); !strings.Contains(got, h.runID) || !strings.Contains(got, "FINISHED") || !strings.Contains(got, "42.0s") {
			t.Errorf("about %q", got)
		}
		clean(t, b, srv)
	})
	t.Run("metrics", func(t *testing.T) {
		visit(t, b, srv, "/runs/"+h.runID+"/metrics")
		checkCharts(t, b, 1)
		clean(t, b, srv)
	})
	t.Run("artifacts", func(t *testing.T) {
		visit(t, b, srv, "/runs/"+h.runID+"/artifacts")
		tree := text(t, b, "#tree")
		for _, want := range []string{"script><img src=x onerror=alert(1)>.txt", "square.png", "page.html", "plots/"} {
			if !strings.Contains(tree, want) {
				t.Errorf("tree %q lacks %q", tree, want)
			}
		}
		visit(t, b, srv, "/runs/"+h.runID+"/artifacts?path=plots/square.png")
		browsertest.WaitFor(t, b, `document.getElementById("preview-img").complete`, "image loaded", 10*time.Second)
		if w := browsertest.Eval[int](t, b, `document.getElementById("preview-img").naturalWidth`); w != 24 {
			t.Errorf("PNG preview decoded %d pixels wide, want 24", w)
		}
		visit(t, b, srv, "/runs/"+h.runID+"/artifacts?path="+url.QueryEscape("plots/"+xss+".svg"))
		browsertest.WaitFor(t, b, `document.getElementById("preview-img").complete`, "SVG loaded", 10*time.Second)
		if w := browsertest.Eval[int](t, b, `document.getElementById("preview-img").naturalWidth`); w != 40 {
			t.Errorf("SVG preview decoded %d pixels wide, want 40", w)
		}
		clean(t, b, srv)
		visit(t, b, srv, "/runs/"+h.runID+"/artifacts?path="+url.QueryEscape(xss+".txt"))
		if got := text(t, b, "#preview-text"); !strings.Contains(got, xss) {
			t.Errorf("text preview %q", got)
		}
		clean(t, b, srv)
		visit(t, b, srv, "/runs/"+h.runID+"/artifacts?path=page.html")
		if got := browsertest.Eval[string](t, b, `document.getElementById("preview-frame").getAttribute("sandbox")`); got != "allow-scripts" {
			t.Errorf("iframe sandbox %q, want allow-scripts", got)
		}
		// The frame is another origin: its document is out of the UI's reach.
		browsertest.WaitFor(t, b, `(function () { try { return document.getElementById("preview-frame").contentDocument === null; } catch (e) { return true; } })()`,
			"framed artifact in an opaque origin", 10*time.Second)
		clean(t, b, srv)
	})
	t.Run("compare", func(t *testing.T) {
		visit(t, b, srv, "/compare?runs="+h.runID+"&runs="+h.run2ID)
		differ := browsertest.Eval[[]string](t, b, `Array.from(document.querySelectorAll("#compare-params tr.differ td.name")).map(function (e) { return e.textContent; })`)
		if strings.Join(differ, "|") != "test_size" {
			t.Errorf("params marked as differing: %q, want test_size only", differ)
		}
		checkCharts(t, b, 2) // the history against step, accuracy against test_size
		clean(t, b, srv)
	})
	t.Run("mlflow links", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/#/experiments/"+h.expID+"/runs/"+h.runID)
		browsertest.WaitFor(t, b, `location.pathname === "/runs/`+h.runID+`"`, "MLflow's run link followed", 10*time.Second)
		b.Navigate(t, srv.URL+"/#/compare-runs?runs="+url.QueryEscape(`["`+h.runID+`","`+h.run2ID+`"]`)+"&experiments=%5B%22"+h.expID+"%22%5D")
		browsertest.WaitFor(t, b, `location.pathname === "/compare" && document.querySelectorAll("#compare-params thead th").length === 3`, "MLflow's compare link followed", 10*time.Second)
		b.Navigate(t, srv.URL+"/#/experiments/"+h.expID)
		browsertest.WaitFor(t, b, `location.pathname === "/experiments/`+h.expID+`" && document.readyState === "complete"`, "MLflow's experiment link followed", 10*time.Second)
		clean(t, b, srv)
	})
}

// TestBrowserSweep opens every page of a SQLite store made by autolog runs
// on Iris, and saves the screenshots docs/ shows.
func TestBrowserSweep(t *testing.T) {
	s := sweepStore(t)
	srv := serve(t, s.st, ui.Options{})
	b := browsertest.New(t, 1600, 900)
	newest := s.runIDs[len(s.runIDs)-1]

	visit(t, b, srv, "/")
	if got := text(t, b, "#experiments tbody"); !strings.Contains(got, "iris-forest") || !strings.Contains(got, "3") {
		t.Errorf("experiments table %q", got)
	}
	clean(t, b, srv)
	shot(t, b, "experiments")

	visit(t, b, srv, "/experiments/"+s.expID)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll("#runs tbody tr").length`); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
	heads := text(t, b, "#runs thead")
	for _, want := range []string{"test_size", "n_estimators", "test_accuracy_score", "Models"} {
		if !strings.Contains(heads, want) {
			t.Errorf("headers lack %q", want)
		}
	}
	if got := text(t, b, "#runs tbody"); !strings.Contains(got, "FINISHED") || !strings.Contains(got, "0.3") {
		t.Errorf("rows %q", got)
	}
	clean(t, b, srv)
	shot(t, b, "runs")

	// The experiment's cross-run chart is tracking/report's page, drawn in
	// an opaque origin.
	browsertest.Eval[bool](t, b, `(document.getElementById("chart-link").click(), true)`)
	browsertest.WaitFor(t, b, `location.pathname === "/experiments/`+s.expID+`/chart" && !!document.documentElement && document.documentElement.hasAttribute("data-grove-rendered")`, "the report drawn", time.Minute)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll("div.chart canvas").length`); n != 14 {
		t.Errorf("the report drew %d charts, want 14", n)
	}
	if got := browsertest.Eval[string](t, b, `window.origin`); got != "null" {
		t.Errorf("the report runs in origin %q, want an opaque one", got)
	}
	clean(t, b, srv)
	visit(t, b, srv, "/experiments/"+s.expID)

	// A click on a header asks the store for that order.
	browsertest.Eval[bool](t, b, `(function () { Array.from(document.querySelectorAll("#runs th a.sort")).find(function (a) { return a.textContent.indexOf("test_size") === 0; }).click(); return true; })()`)
	browsertest.WaitFor(t, b, `location.search.indexOf("order_by=") >= 0 && document.readyState === "complete"`, "sorted page loaded", 10*time.Second)
	if got := browsertest.Eval[string](t, b, `new URLSearchParams(location.search).get("order_by")`); got != "params.`test_size` DESC" {
		t.Errorf("order_by %q after a click on test_size", got)
	}
	if got := text(t, b, "#runs thead"); !strings.Contains(got, "test_size ▼") {
		t.Errorf("the sorted header shows no arrow: %q", got)
	}
	clean(t, b, srv)

	visit(t, b, srv, "/runs/"+newest)
	about := text(t, b, "#about")
	for _, want := range []string{newest, "FINISHED", "iris-forest", "helpers_test.go"} {
		if !strings.Contains(about, want) {
			t.Errorf("about %q lacks %q", about, want)
		}
	}
	if got := browsertest.Eval[string](t, b, `document.getElementById("source-link").getAttribute("href")`); !strings.Contains(got, "path=code%2Fhelpers_test.go") {
		t.Errorf("source links to %q, want its copy under code/", got)
	}
	if got := text(t, b, "pre.mlmodel"); !strings.Contains(got, "flavors") {
		t.Errorf("MLmodel shown as %q", got)
	}
	// The model's files download from the model's own artifacts.
	got := browsertest.Eval[string](t, b, `(function () {
		var a = Array.from(document.querySelectorAll("#model a")).find(function (a) { return a.textContent === "MLmodel"; });
		if (!a) { return "no link"; }
		var x = new XMLHttpRequest();
		x.open("GET", a.getAttribute("href"), false);
		x.send();
		return x.status + " " + x.getResponseHeader("Content-Disposition") + " " + (x.responseText.indexOf("flavors:") >= 0);
	})()`)
	if got != `200 attachment; filename=MLmodel true` {
		t.Errorf("MLmodel download: %q", got)
	}
	if got := text(t, b, "#params"); !strings.Contains(got, "test_size") || !strings.Contains(got, "0.4") {
		t.Errorf("params %q", got)
	}
	clean(t, b, srv)
	shot(t, b, "run")

	visit(t, b, srv, "/runs/"+newest+"/artifacts?path=test_confusion_matrix.png")
	browsertest.WaitFor(t, b, `document.getElementById("preview-img").complete`, "image loaded", 10*time.Second)
	if w := browsertest.Eval[int](t, b, `document.getElementById("preview-img").naturalWidth`); w < 100 {
		t.Errorf("confusion matrix decoded %d pixels wide", w)
	}
	tree := text(t, b, "#tree")
	for _, want := range []string{"code/", "helpers_test.go", "metrics_report.html", "training_confusion_matrix.png"} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree %q lacks %q", tree, want)
		}
	}
	clean(t, b, srv)
	shot(t, b, "artifacts")

	visit(t, b, srv, "/runs/"+newest+"/artifacts?path=metrics_report.html")
	if got := browsertest.Eval[string](t, b, `document.getElementById("preview-frame").getAttribute("sandbox")`); got != "allow-scripts" {
		t.Errorf("iframe sandbox %q, want allow-scripts", got)
	}
	time.Sleep(2 * time.Second) // the report draws in the frame
	clean(t, b, srv)
	shot(t, b, "artifact-html")

	// A run that logged a loss every step: its metrics tab, sampled.
	ctx := context.Background()
	curves, err := s.st.CreateExperiment(ctx, "training-curves", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := s.st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: curves, RunName: "long-loss", StartTime: time.Now().UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	var pts []store.Metric
	for i := range 20_000 {
		x := float64(i)
		pts = append(pts, store.Metric{Key: "loss", Step: int64(i), Value: 2*math.Exp(-x/3000) + 0.1 + 0.05*math.Sin(x/40)},
			store.Metric{Key: "val_accuracy", Step: int64(i), Value: 0.97 - 0.6*math.Exp(-x/4000) + 0.01*math.Cos(x/300)})
	}
	if err := s.st.(store.WholeBatcher).LogWholeBatch(ctx, cr.Info.RunID, pts, nil, nil); err != nil {
		t.Fatal(err)
	}
	visit(t, b, srv, "/runs/"+cr.Info.RunID+"/metrics")
	checkCharts(t, b, 2)
	// MLflow's sampling: 2,500 steps evenly spaced, and the last one.
	if got := text(t, b, ".chart-note"); got != "20000 points logged, drawn through 2501" {
		t.Errorf("chart note %q", got)
	}
	clean(t, b, srv)
	shot(t, b, "run-metrics")
	// Zoomed to 50–51% of steps 0–19999, the chart asks for steps
	// floor(9999.5) to ceil(10199.49) and draws every one.
	browsertest.Eval[bool](t, b, `(echarts.getInstanceByDom(document.querySelector("div.chart")).dispatchAction({type: "dataZoom", dataZoomIndex: 0, start: 50, end: 51}), true)`)
	browsertest.WaitFor(t, b, `document.querySelector(".chart-note").textContent.indexOf("every point drawn") >= 0`, "zoomed range drawn", 10*time.Second)
	if got := text(t, b, ".chart-note"); got != "steps 9999–10200: every point drawn" {
		t.Errorf("zoomed chart note %q", got)
	}
	if gaps := browsertest.Eval[int](t, b, `(function () {
		var d = echarts.getInstanceByDom(document.querySelector("div.chart")).getOption().series[0].data, gaps = 0;
		for (var i = 1; i < d.length; i++) { if (d[i][0] !== d[i-1][0] + 1) { gaps++; } }
		return d.length === 202 ? gaps : -d.length;
	})()`); gaps != 0 {
		t.Errorf("zoomed to steps 9999–10200, the line has %d gaps (negative: that many points instead of 202)", gaps)
	}
	clean(t, b, srv)

	q := url.Values{"runs": s.runIDs}
	visit(t, b, srv, "/compare?"+q.Encode())
	if got := browsertest.Eval[[]string](t, b, `Array.from(document.querySelectorAll("#compare-params tr.differ td.name")).map(function (e) { return e.textContent; })`); strings.Join(got, "|") != "test_size" {
		t.Errorf("params marked as differing: %q, want test_size", got)
	}
	if got := browsertest.Eval[string](t, b, `document.getElementById("x-param").value`); got != "test_size" {
		t.Errorf("single-value metrics drawn against %q, want test_size", got)
	}
	checkCharts(t, b, 14)
	clean(t, b, srv)
	shot(t, b, "compare")

	// The run page's forms rename and delete the run; the deleted view
	// restores it. The browser sends the page's Origin, so they pass.
	visit(t, b, srv, "/runs/"+newest)
	browsertest.Eval[bool](t, b, `(function () {
		var f = document.getElementById("rename");
		f.querySelector("input[name=name]").value = "renamed " + `+browsertest.JSString(xss)+`;
		f.requestSubmit();
		return true;
	})()`)
	browsertest.WaitFor(t, b, `document.readyState === "complete" && document.querySelector("h1").textContent.indexOf("renamed") === 0`, "renamed run shown", 10*time.Second)
	clean(t, b, srv)
}
