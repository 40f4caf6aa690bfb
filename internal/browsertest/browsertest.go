// Package browsertest drives one headless Chromium for the tests of grove's
// pages (the metrics report, the web UI): the network off, and a record of
// what a page did while it was open — console errors, exceptions, dialogs
// (a name from a user that ran as code) and every URL it asked for.
//
// Without Chromium the tests skip, saying so; with GROVE_BROWSER_TEST set
// (as CI sets it after installing Chromium) they fail instead. GROVE_CHROMIUM
// names another browser binary.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Env makes the browser tests mandatory: CI sets it after installing
// Chromium, so a browser that cannot start fails there instead of skipping.
const Env = "GROVE_BROWSER_TEST"

// FindChromium returns the browser to drive, or skips (or fails, when Env
// is set) saying why.
func FindChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("GROVE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(Env) != "" {
		t.Fatalf("%s is set but no Chromium was found on PATH (install Debian's chromium, or set GROVE_CHROMIUM)", Env)
	}
	t.Skipf("no Chromium on PATH: skipping the browser test (apt-get install chromium, or set %s=1 to require it)", Env)
	return ""
}

// Browser is one headless Chromium with the network cut off, and what the
// page did while it was open.
type Browser struct {
	Ctx context.Context // chromedp's context of the one tab

	mu       sync.Mutex
	errors   []string // console errors, exceptions, error log entries
	dialogs  []string // alert, confirm, prompt: a name ran code
	requests []string // every URL the page asked for
}

// New starts Chromium for the test, with a window of width x height pixels
// (1280 x 900 when zero); it is stopped when the test ends.
func New(t testing.TB, width, height int) *Browser {
	t.Helper()
	exe := FindChromium(t)
	if width == 0 {
		width, height = 1280, 900
	}
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
		// open for the test's own servers, and CheckClean fails any request
		// the page makes elsewhere anyway.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })

	b := &Browser{Ctx: ctx}
	// Start the browser and open the tab, so that listening can begin.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		if os.Getenv(Env) == "" {
			t.Skipf("Chromium at %s does not start: %v (set %s=1 to make this fail)", exe, err, Env)
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
	// Belt and braces: the tab believes it is offline too (loopback still
	// answers, as the proxy setting leaves it alone).
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Logf("offline emulation not available: %v", err)
	}
	return b
}

// Navigate forgets what earlier pages did and loads url.
func (b *Browser) Navigate(t testing.TB, url string) {
	t.Helper()
	b.Reset()
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// Reset forgets what earlier pages did.
func (b *Browser) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors, b.dialogs, b.requests = nil, nil, nil
}

// Errors returns the console errors and exceptions seen since Reset.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Requests returns the URLs asked for since Reset.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// CheckClean fails the test for console errors, dialogs and any request for
// something other than a file:, data: or blob: URL or a URL under one of
// allowed.
func (b *Browser) CheckClean(t testing.TB, allowed ...string) {
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

// Eval runs the JavaScript expression js in the page and returns its value.
func Eval[T any](t testing.TB, b *Browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// WaitFor evaluates the boolean expression js until it holds, failing the
// test with what if it does not within d. An expression that throws, as one
// may while a new page replaces the old, counts as not holding yet.
func WaitFor(t testing.TB, b *Browser, js, what string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v (last: %v); page errors: %q", what, d, err, b.Errors())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Screenshot saves the whole page as a PNG file.
func (b *Browser) Screenshot(t testing.TB, file string) {
	t.Helper()
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", file)
}

// JSString quotes s as a JavaScript string literal that is safe inside the
// expressions given to Eval.
func JSString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "<", `\x3c`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
