package report_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/grove-ml/grove/internal/browsertest"
	"github.com/grove-ml/grove/tracking/report"
)

// browser is the one headless Chromium of package browsertest.
type browser = browsertest.Browser

func newBrowser(t testing.TB) *browser { return browsertest.New(t, 0, 0) }

// open writes page to a file, loads it and waits until every chart has drawn
// (the page sets data-grove-rendered to the milliseconds that took), or, for a
// page without charts, until it has loaded. It returns that time.
func open(t testing.TB, b *browser, page []byte, charts bool) time.Duration {
	t.Helper()
	file := filepath.Join(t.TempDir(), report.ArtifactName)
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: file}).String()
	b.Navigate(t, u)
	if !charts {
		return 0
	}
	deadline := time.Now().Add(6 * time.Minute)
	for {
		ms, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`document.documentElement.getAttribute("data-grove-rendered") || ""`))
		if err != nil {
			t.Fatalf("read render state: %v", err)
		}
		if ms != "" {
			var n int
			fmt.Sscan(ms, &n)
			return time.Duration(n) * time.Millisecond
		}
		if time.Now().After(deadline) {
			t.Fatalf("charts not drawn after 2 minutes; page errors: %q", b.Errors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func eval[T any](t testing.TB, b *browser, js string) T { return browsertest.Eval[T](t, b, js) }

// chartState is what the page shows of one chart.
type chartState struct {
	ID       string `json:"id"`
	Canvases int    `json:"canvases"`
	Inked    int    `json:"inked"` // pixels that are not background
}

const readCharts = `Array.from(document.querySelectorAll("div.chart")).map(function (el) {
	var cs = el.querySelectorAll("canvas"), inked = 0;
	if (cs.length) {
		var c = cs[0], d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		for (var i = 0; i < d.length; i += 4) { if (d[i+3] > 0 && (d[i] < 200 || d[i+1] < 200 || d[i+2] < 200)) inked++; }
	}
	return {id: el.id, canvases: cs.length, inked: inked};
})`

func TestBrowser(t *testing.T) {
	b := newBrowser(t)

	runs := sweep()
	runs[0].name = xssScript
	runs[1].name = xssFunc
	hist := curves(3, 1, 20)
	hist[1].name = xssScript + " curve"
	runs = append(runs, hist...)
	st := newMemStore()
	expID, _ := seed(t, st, `iris </title><img src=x onerror=alert(3)>`, runs)
	page, err := report.Build(context.Background(), st, expID, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantCharts := len(readData(t, page).Charts)
	took := open(t, b, page, true)
	t.Logf("%d charts drawn in %v (page %d bytes)", wantCharts, took, len(page))

	charts := eval[[]chartState](t, b, readCharts)
	if len(charts) != wantCharts || wantCharts != 5 {
		t.Fatalf("%d chart elements, want %d (one per metric, 5 expected)", len(charts), wantCharts)
	}
	for _, c := range charts {
		if c.Canvases < 1 {
			t.Errorf("chart %s has no canvas", c.ID)
		}
		if c.Inked < 500 {
			t.Errorf("chart %s looks blank: %d inked pixels", c.ID, c.Inked)
		}
	}

	// The hostile names are text in the page, and nothing they hold became an element.
	text := eval[string](t, b, `document.body.textContent`)
	for _, name := range []string{xssScript, xssFunc} {
		if !strings.Contains(text, name) {
			t.Errorf("page text lacks the run name %q", name)
		}
	}
	if title := eval[string](t, b, `document.title`); !strings.Contains(title, "<img src=x") {
		t.Errorf("title %q does not show the experiment name as text", title)
	}
	if n := eval[int](t, b, `document.querySelectorAll("img, iframe, object, embed").length`); n != 0 {
		t.Errorf("%d injected elements", n)
	}
	if n := eval[int](t, b, `document.scripts.length`); n != 3 {
		t.Errorf("%d script elements, want 3", n)
	}

	// The tooltip is markup ECharts builds from the formatter: show it for
	// the hostile run and check the name arrives as text.
	chartID := eval[string](t, b, `(function () {
		var els = document.querySelectorAll("div.chart");
		for (var i = 0; i < els.length; i++) {
			var ch = echarts.getInstanceByDom(els[i]);
			var idx = ch.getOption().series.findIndex(function (s) { return s.name === `+jsString(xssScript)+`; });
			if (idx >= 0) {
				ch.dispatchAction({type: "showTip", seriesIndex: idx, dataIndex: 0});
				return els[i].id;
			}
		}
		return "";
	})()`)
	if chartID == "" {
		t.Fatalf("hostile run not among the series of any chart")
	}
	var tipText string
	for i := 0; i < 50 && !strings.Contains(tipText, xssScript); i++ {
		time.Sleep(40 * time.Millisecond)
		tipText = eval[string](t, b, `Array.from(document.querySelectorAll("#`+chartID+` div")).map(function (d) { return d.textContent; }).join("\n")`)
	}
	if !strings.Contains(tipText, xssScript) || !strings.Contains(tipText, "test_size") {
		t.Errorf("tooltip of %s does not show the run name as text: %q", chartID, tipText)
	}
	// The same through the axis tooltip of a history, which lists several runs.
	tipText = ""
	eval[string](t, b, `(function () {
		var ch = echarts.getInstanceByDom(document.getElementById("chart-1"));
		ch.dispatchAction({type: "showTip", seriesIndex: 1, dataIndex: 3});
		return "";
	})()`)
	for i := 0; i < 50 && !strings.Contains(tipText, xssScript+" curve"); i++ {
		time.Sleep(40 * time.Millisecond)
		tipText = eval[string](t, b, `Array.from(document.querySelectorAll("#chart-1 div")).map(function (d) { return d.textContent; }).join("\n")`)
	}
	if !strings.Contains(tipText, xssScript+" curve") || !strings.Contains(tipText, "loss_00 at step 3") {
		t.Errorf("axis tooltip of chart-1 does not show the run name as text: %q", tipText)
	}
	if n := eval[int](t, b, `document.querySelectorAll("img").length`); n != 0 {
		t.Errorf("tooltip injected %d img elements", n)
	}

	// Unticking a run in the runs table hides it in every chart.
	hidden := eval[[]bool](t, b, `(function () {
		var box = Array.from(document.querySelectorAll("input.run-toggle")).find(function (b) { return b.value === `+jsString(xssFunc)+`; });
		box.click();
		return Array.from(document.querySelectorAll("div.chart")).map(function (el) {
			var sel = echarts.getInstanceByDom(el).getOption().legend[0].selected || {};
			return sel[`+jsString(xssFunc)+`] === false;
		});
	})()`)
	if len(hidden) != wantCharts {
		t.Fatalf("toggle reached %d charts, want %d", len(hidden), wantCharts)
	}
	for i, h := range hidden {
		// Charts of metrics the run never logged have no such series; the
		// legend still records the choice, so every chart must say hidden.
		if !h {
			t.Errorf("chart-%d still shows the run unticked in the table", i+1)
		}
	}
	b.CheckClean(t)

	if dir := os.Getenv("GROVE_SCREENSHOT_DIR"); dir != "" {
		screenshot(t, b, filepath.Join(dir, "report-hostile.png"))
	}

	// mlflow ui fetches an HTML artifact and shows it as a blob: URL in an
	// iframe sandboxed with allow-scripts and allow-same-origin; the page
	// must draw there too. A loopback server plays mlflow ui.
	t.Run("mlflow ui frame", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!DOCTYPE html><html><body style="margin:0">`+
				`<iframe id="f" sandbox="allow-scripts allow-same-origin" style="width:1200px;height:3000px;border:0"></iframe>`+
				`<script>fetch("/artifact").then(function (r) { return r.text(); }).then(function (html) {`+
				`document.getElementById("f").src = URL.createObjectURL(new Blob([html], {type: "text/html"})); });</script>`+
				`</body></html>`)
		})
		mux.HandleFunc("/artifact", func(w http.ResponseWriter, r *http.Request) { w.Write(page) })
		srv := httptest.NewServer(mux)
		defer srv.Close()

		b.Reset()
		if err := chromedp.Do(b.Ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		const state = `(function () {
			var d = document.getElementById("f").contentDocument;
			if (!d || !d.documentElement || !d.documentElement.getAttribute("data-grove-rendered")) { return ""; }
			return String(d.querySelectorAll("div.chart canvas").length) + " " + d.location.protocol;
		})()`
		got := ""
		for i := 0; i < 600 && got == ""; i++ {
			time.Sleep(50 * time.Millisecond)
			got = eval[string](t, b, state)
		}
		if want := fmt.Sprint(wantCharts) + " blob:"; got != want {
			t.Errorf("in the frame: %q canvases drawn, want %q (page errors %q)", got, want, b.Errors())
		}
		b.CheckClean(t, srv.URL+"/")
	})

	// Past legendMaxRuns the charts' legends are hidden and the runs panel
	// is the one legend: unticking a run must still hide it.
	t.Run("runs panel", func(t *testing.T) {
		many := build(t, "many", curves(45, 2, 10), report.Options{})
		open(t, b, many, true)
		hidden := eval[[]bool](t, b, `(function () {
			document.querySelector('input.run-toggle[value="run-007"]').click();
			return Array.from(document.querySelectorAll("div.chart")).map(function (el) {
				var ch = echarts.getInstanceByDom(el), o = ch.getOption();
				return o.legend[0].show === false && (o.legend[0].selected || {})["run-007"] === false;
			});
		})()`)
		if len(hidden) != 2 || !hidden[0] || !hidden[1] {
			t.Errorf("after unticking run-007, hidden legend and run hidden per chart: %v, want [true true]", hidden)
		}
		b.CheckClean(t)
	})

	t.Run("empty", func(t *testing.T) {
		empty := build(t, "nothing yet", nil, report.Options{})
		open(t, b, empty, false)
		if got := eval[string](t, b, `document.querySelector(".empty").textContent`); !strings.Contains(got, "no runs") {
			t.Errorf("empty page says %q", got)
		}
		b.CheckClean(t)
	})
}

// TestBrowserScreenshot draws the realistic page, five runs over test sizes,
// and saves it where GROVE_SCREENSHOT_DIR says, for a person to look at.
func TestBrowserScreenshot(t *testing.T) {
	dir := os.Getenv("GROVE_SCREENSHOT_DIR")
	if dir == "" {
		t.Skip("set GROVE_SCREENSHOT_DIR to save screenshots of the page")
	}
	b := newBrowser(t)
	open(t, b, build(t, "iris-forest", sweep(), report.Options{}), true)
	b.CheckClean(t)
	screenshot(t, b, filepath.Join(dir, "report-sweep.png"))
	open(t, b, build(t, "curves", curves(60, 2, 60), report.Options{}), true)
	eval[string](t, b, `(function () {
		echarts.getInstanceByDom(document.getElementById("chart-1")).dispatchAction({type: "showTip", seriesIndex: 20, dataIndex: 12});
		return "";
	})()`)
	time.Sleep(300 * time.Millisecond)
	b.CheckClean(t)
	screenshot(t, b, filepath.Join(dir, "report-curves.png"))
}

func screenshot(t testing.TB, b *browser, file string) { b.Screenshot(t, file) }

func jsString(s string) string { return browsertest.JSString(s) }

// BenchmarkBrowserRender measures how long Chromium takes to draw the page
// of 500 runs x 10 metrics x 100 steps, from navigation to the last chart's
// "finished" event, and how big that page is.
func BenchmarkBrowserRender(b *testing.B) {
	br := newBrowser(b)
	st := newMemStore()
	id, _ := seed(b, st, "large", curves(500, 10, 100))
	page, err := report.Build(context.Background(), st, id, report.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var total, first time.Duration
	b.ResetTimer()
	for b.Loop() {
		total += open(b, br, page, true)
		first += time.Duration(eval[int](b, br, `+document.documentElement.getAttribute("data-grove-first")`)) * time.Millisecond
	}
	b.StopTimer()
	br.CheckClean(b)
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "all-charts-ms/op")
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "first-chart-ms/op")
	b.ReportMetric(float64(len(page))/1e6, "page-MB")
}

// BenchmarkRender measures Render alone on the same large experiment.
func BenchmarkRender(b *testing.B) {
	st := newMemStore()
	id, _ := seed(b, st, "large", curves(500, 10, 100))
	d, err := report.Collect(context.Background(), st, id)
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		var w countWriter
		if err := report.Render(&w, d, report.Options{}); err != nil {
			b.Fatal(err)
		}
		size = int(w)
	}
	b.ReportMetric(float64(size)/1e6, "page-MB")
}

type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }
