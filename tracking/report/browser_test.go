package report_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/grove-ml/grove/tracking/report"
)

// browserEnv makes the browser tests mandatory: CI sets it after installing
// Chromium, so a browser that cannot start fails there instead of skipping.
const browserEnv = "GROVE_BROWSER_TEST"

// findChromium returns the browser to drive, or skips (or fails, when
// browserEnv is set) saying why.
func findChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("GROVE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserEnv) != "" {
		t.Fatalf("%s is set but no Chromium was found on PATH (install Debian's chromium, or set GROVE_CHROMIUM)", browserEnv)
	}
	t.Skipf("no Chromium on PATH: skipping the browser test (apt-get install chromium, or set %s=1 to require it)", browserEnv)
	return ""
}

// browser is one headless Chromium with the network cut off, and what the
// page did while it was open.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	errors   []string // console errors, exceptions, error log entries
	dialogs  []string // alert, confirm, prompt: a run name ran code
	requests []string // every URL the page asked for
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	exe := findChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Every request off this machine goes to a proxy that is not there,
		// so nothing can be fetched even if the page tried. Loopback stays
		// open for the test's own server (the mlflow ui frame test), and
		// checkClean fails any request the page makes anyway.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })

	b := &browser{ctx: ctx}
	// Start the browser and open the tab, so that listening can begin.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		if os.Getenv(browserEnv) == "" {
			t.Skipf("Chromium at %s does not start: %v (set %s=1 to make this fail)", exe, err, browserEnv)
		}
		t.Fatalf("Chromium at %s does not start: %v", exe, err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.errors = append(b.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.errors = append(b.errors, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.errors = append(b.errors, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, string(ev.Type)+": "+ev.Message)
			// A dialog blocks the page; close it from outside the event loop.
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)

		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Belt and braces: the tab believes it is offline too.
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Logf("offline emulation not available: %v", err)
	}
	return b
}

// open writes page to a file, loads it and waits until every chart has drawn
// (the page sets data-grove-rendered to the milliseconds that took), or, for a
// page without charts, until it has loaded. It returns that time.
func (b *browser) open(t testing.TB, page []byte, charts bool) time.Duration {
	t.Helper()
	file := filepath.Join(t.TempDir(), report.ArtifactName)
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: file}).String()
	b.reset()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	if !charts {
		return 0
	}
	deadline := time.Now().Add(6 * time.Minute)
	for {
		ms, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.getAttribute("data-grove-rendered") || ""`))
		if err != nil {
			t.Fatalf("read render state: %v", err)
		}
		if ms != "" {
			var n int
			fmt.Sscan(ms, &n)
			return time.Duration(n) * time.Millisecond
		}
		if time.Now().After(deadline) {
			t.Fatalf("charts not drawn after 2 minutes; page errors: %q", b.pageErrors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reset forgets what earlier pages did.
func (b *browser) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors, b.dialogs, b.requests = nil, nil, nil
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// checkClean fails the test for console errors, dialogs and any request for
// something other than the page itself or a URL under one of allowed.
func (b *browser) checkClean(t testing.TB, allowed ...string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("page error: %s", e)
	}
	for _, d := range b.dialogs {
		t.Errorf("page opened a dialog (code ran): %s", d)
	}
	for _, r := range b.requests {
		ok := strings.HasPrefix(r, "file://") || strings.HasPrefix(r, "data:") || strings.HasPrefix(r, "blob:")
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(r, a)
		}
		if !ok {
			t.Errorf("page requested %s", r)
		}
	}
}

func eval[T any](t testing.TB, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

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
	took := b.open(t, page, true)
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
	b.checkClean(t)

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

		b.reset()
		if err := chromedp.Do(b.ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
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
			t.Errorf("in the frame: %q canvases drawn, want %q (page errors %q)", got, want, b.pageErrors())
		}
		b.checkClean(t, srv.URL+"/")
	})

	// Past legendMaxRuns the charts' legends are hidden and the runs panel
	// is the one legend: unticking a run must still hide it.
	t.Run("runs panel", func(t *testing.T) {
		many := build(t, "many", curves(45, 2, 10), report.Options{})
		b.open(t, many, true)
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
		b.checkClean(t)
	})

	t.Run("empty", func(t *testing.T) {
		empty := build(t, "nothing yet", nil, report.Options{})
		b.open(t, empty, false)
		if got := eval[string](t, b, `document.querySelector(".empty").textContent`); !strings.Contains(got, "no runs") {
			t.Errorf("empty page says %q", got)
		}
		b.checkClean(t)
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
	b.open(t, build(t, "iris-forest", sweep(), report.Options{}), true)
	b.checkClean(t)
	screenshot(t, b, filepath.Join(dir, "report-sweep.png"))
	b.open(t, build(t, "curves", curves(60, 2, 60), report.Options{}), true)
	eval[string](t, b, `(function () {
		echarts.getInstanceByDom(document.getElementById("chart-1")).dispatchAction({type: "showTip", seriesIndex: 20, dataIndex: 12});
		return "";
	})()`)
	time.Sleep(300 * time.Millisecond)
	b.checkClean(t)
	screenshot(t, b, filepath.Join(dir, "report-curves.png"))
}

func screenshot(t testing.TB, b *browser, file string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", file)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "<", `\x3c`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

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
		total += br.open(b, page, true)
		first += time.Duration(eval[int](b, br, `+document.documentElement.getAttribute("data-grove-first")`)) * time.Millisecond
	}
	b.StopTimer()
	br.checkClean(b)
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
