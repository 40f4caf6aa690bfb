package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

func TestXAxis(t *testing.T) {
	once := func(params ...[]store.Param) []runSpec {
		var runs []runSpec
		for i, p := range params {
			runs = append(runs, runSpec{name: "r" + string(rune('a'+i)), start: int64(100 * (3 - i)), params: p,
				metrics: []store.Metric{{Key: "acc", Value: 0.5 + 0.1*float64(i)}}})
		}
		return runs
	}
	p := func(kv ...string) []store.Param {
		var ps []store.Param
		for i := 0; i < len(kv); i += 2 {
			ps = append(ps, store.Param{Key: kv[i], Value: kv[i+1]})
		}
		return ps
	}
	tests := []struct {
		name  string
		runs  []runSpec
		x     string
		wantX string   // x axis name of chart "acc"
		wantV []any    // x value of each series, in start order
		axis  string   // axis type
		cats  []string // category axis data
	}{
		{"test size preferred", once(p("test_size", "0.3", "seed", "1"), p("test_size", "0.25", "seed", "2"), p("test_size", "0.1", "seed", "3")),
			"", "test_size", []any{0.1, 0.25, 0.3}, "value", nil},
		{"only varying numeric param", once(p("n_estimators", "10", "criterion", "gini"), p("n_estimators", "50", "criterion", "entropy")),
			"auto", "n_estimators", []any{50.0, 10.0}, "value", nil},
		{"two varying params", once(p("a", "1", "b", "2"), p("a", "2", "b", "1")),
			"", "run (start order)", []any{1.0, 2.0}, "value", nil},
		{"one run", once(p("test_size", "0.2")), "", "run (start order)", []any{1.0}, "value", nil},
		{"param missing in a run", once(p("test_size", "0.2"), p()), "", "run (start order)", []any{1.0, 2.0}, "value", nil},
		{"forced run order", once(p("test_size", "0.2"), p("test_size", "0.3")), "run", "run (start order)", []any{1.0, 2.0}, "value", nil},
		{"forced step", once(p("test_size", "0.2"), p("test_size", "0.3")), "step", "step", []any{0.0, 0.0}, "value", nil},
		{"forced text param", once(p("criterion", "gini"), p("criterion", "10"), p("criterion", "2")), "param:criterion", "criterion",
			[]any{"2", "10", "gini"}, "category", []string{"2", "10", "gini"}},
		{"forced param missing in a run", once(p("k", "3"), p()), "param:k", "k", []any{3.0}, "value", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := build(t, "exp", tt.runs, report.Options{X: tt.x})
			d := readData(t, page)
			if len(d.Charts) != 1 {
				t.Fatalf("got %d charts, want 1", len(d.Charts))
			}
			o := d.Charts[0].Option
			if o.XAxis.Name != tt.wantX || d.Charts[0].X != tt.wantX {
				t.Errorf("x axis %q (tooltip %q), want %q", o.XAxis.Name, d.Charts[0].X, tt.wantX)
			}
			if o.XAxis.Type != tt.axis || !slices.Equal(o.XAxis.Data, tt.cats) {
				t.Errorf("axis %s %q, want %s %q", o.XAxis.Type, o.XAxis.Data, tt.axis, tt.cats)
			}
			var got []any
			for _, s := range o.Series {
				got = append(got, s.Data[0][0])
			}
			if !slices.Equal(got, tt.wantV) {
				t.Errorf("x values %v, want %v", got, tt.wantV)
			}
		})
	}
}

func TestHistoryDrawnAgainstStep(t *testing.T) {
	runs := curves(3, 2, 5)
	runs[0].metrics = append(runs[0].metrics, store.Metric{Key: "final", Value: 0.9})
	runs[1].metrics = append(runs[1].metrics, store.Metric{Key: "final", Value: 0.8})
	d := readData(t, build(t, "curves", runs, report.Options{}))
	var keys, xs []string
	for _, c := range d.Charts {
		keys = append(keys, c.Metric)
		xs = append(xs, c.X)
	}
	if want := []string{"final", "loss_00", "loss_01"}; !slices.Equal(keys, want) {
		t.Fatalf("charts %q, want %q in sorted order", keys, want)
	}
	// learning_rate varies and is the only numeric param, so it orders the once-logged metric.
	if want := []string{"learning_rate", "step", "step"}; !slices.Equal(xs, want) {
		t.Errorf("x axes %q, want %q", xs, want)
	}
	s := d.Charts[1].Option.Series
	if len(s) != 3 || len(s[2].Data) != 5 || s[2].Data[4][0] != 4.0 {
		t.Fatalf("loss_00 series: %d series, last has %v", len(s), s[len(s)-1].Data)
	}
	if len(d.Charts[0].Option.Series) != 2 {
		t.Errorf("final: %d series, want the 2 runs that logged it", len(d.Charts[0].Option.Series))
	}
	// A run keeps its color in every chart, even where other runs are missing.
	colors := map[string]string{}
	for _, c := range d.Charts {
		for _, s := range c.Option.Series {
			if prev, ok := colors[s.ID]; ok && prev != s.Color {
				t.Errorf("run %s is %s in one chart and %s in %s", s.Name, prev, s.Color, c.Metric)
			}
			colors[s.ID] = s.Color
		}
	}
	if len(colors) != 3 || colors[d.Charts[1].Option.Series[0].ID] == colors[d.Charts[1].Option.Series[1].ID] {
		t.Errorf("run colors %v: want 3 runs told apart", colors)
	}
}

func TestPageParts(t *testing.T) {
	page := string(build(t, "iris sweep", sweep(), report.Options{}))
	d := readData(t, []byte(page))
	if len(d.Charts) != 4 {
		t.Fatalf("got %d charts, want 4", len(d.Charts))
	}
	for _, c := range d.Charts {
		if c.Option.Legend.Type != "scroll" {
			t.Errorf("%s: legend type %q, want scroll", c.Metric, c.Option.Legend.Type)
		}
		var zooms []string
		for _, z := range c.Option.DataZoom {
			zooms = append(zooms, z.Type)
		}
		if !slices.Contains(zooms, "slider") || !slices.Contains(zooms, "inside") {
			t.Errorf("%s: dataZoom %q, want inside and slider", c.Metric, zooms)
		}
		if c.Option.Title.Text != c.Metric || len(c.Option.Series) != 5 {
			t.Errorf("%s: title %q, %d series", c.Metric, c.Option.Title.Text, len(c.Option.Series))
		}
		if !strings.Contains(page, `<div id="`+c.ID+`" class="chart"`) {
			t.Errorf("no element for chart %s", c.ID)
		}
	}
	for _, want := range []string{
		"<title>iris sweep - 5 runs - grove metrics</title>",
		"<h1>Metrics of experiment iris sweep</h1>",
		"5 runs, 4 metrics; metrics logged once per run are drawn against test_size",
		"<th>test_size</th>",
		"<td>0.3</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestOffline checks the page names nothing to fetch: every script is inline
// and no attribute points at another host.
func TestOffline(t *testing.T) {
	page := build(t, "offline", sweep(), report.Options{})
	remote := regexp.MustCompile(`(?i)\b(src|href|action|srcset)\s*=\s*["']?\s*(https?:)?//`)
	if m := remote.Find(page); m != nil {
		t.Errorf("page loads from the network: %q", m)
	}
	if n := bytes.Count(page, []byte("<script")); n != 3 {
		t.Errorf("%d script elements, want 3 (data, echarts, main)", n)
	}
	if bytes.Contains(page, []byte("<script src")) {
		t.Errorf("page has an external script")
	}
	if !bytes.Contains(page, []byte(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-`)) {
		t.Errorf("page lacks its Content-Security-Policy")
	}
}

func TestEscaping(t *testing.T) {
	runs := sweep()[:3]
	runs[0].name = xssScript
	runs[1].name = xssFunc
	runs[2].params[2].Value = xssScript // a param value shown in the runs table
	runs[2].metrics = append(runs[2].metrics, store.Metric{Key: xssScript, Value: 1})
	for _, x := range []string{"", "param:test_size"} {
		t.Run("x="+x, func(t *testing.T) {
			page := build(t, `exp </title><script>alert(2)</script>`, runs, report.Options{X: x})
			page = withoutECharts(t, page)
			if n := bytes.Count(page, []byte("<script")); n != 3 {
				t.Errorf("x=%q: %d script elements, want 3: a name became markup", x, n)
			}
			for _, bad := range []string{"<img", "</title><script>", "<script>alert"} {
				if bytes.Contains(page, []byte(bad)) {
					t.Errorf("x=%q: page contains raw %q", x, bad)
				}
			}
			// In HTML the names are text, escaped by html/template.
			if !bytes.Contains(page, []byte(`<td class="name">&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</td>`)) {
				t.Errorf("x=%q: runs table lacks the escaped script name", x)
			}
			if !bytes.Contains(page, []byte(`<td class="name">`+xssFunc+`</td>`)) {
				t.Errorf("x=%q: runs table lacks the __f__ name as text", x)
			}
			// In the data block they are JSON strings that decode to the exact names.
			d := readData(t, page)
			var names []string
			for _, c := range d.Charts {
				for _, s := range c.Option.Series {
					names = append(names, s.Name)
				}
			}
			if !slices.Contains(names, xssScript) || !slices.Contains(names, xssFunc) {
				t.Errorf("x=%q: series names %q lack the hostile names", x, names)
			}
			// __f__ markers stay inside a JSON string: never next to a bare JS token.
			for _, i := range regexp.MustCompile(`__f__alert`).FindAllIndex(page, -1) {
				if prev := page[i[0]-1]; prev != '"' && prev != '>' {
					t.Errorf("x=%q: __f__ name outside a string or text node: %q", x, page[max(0, i[0]-20):i[1]])
				}
			}
		})
	}
}

// TestManyRuns checks the page of many runs: the legends give way to the
// runs panel beside the charts, and the lines to no symbols.
func TestManyRuns(t *testing.T) {
	for _, tt := range []struct {
		runs, steps int
		side        bool
		symbolsOff  bool
	}{{5, 80, false, false}, {40, 50, false, false}, {41, 50, true, false}, {41, 80, true, true}} {
		t.Run(fmt.Sprint(tt.runs, "x", tt.steps), func(t *testing.T) {
			page := build(t, "many", curves(tt.runs, 1, tt.steps), report.Options{})
			if got := bytes.Contains(page, []byte(`<div class="layout side">`)); got != tt.side {
				t.Errorf("side panel %v, want %v", got, tt.side)
			}
			d := readData(t, page)
			if got := d.Charts[0].Option.Legend.Show != nil && !*d.Charts[0].Option.Legend.Show; got != tt.side {
				t.Errorf("legend hidden %v, want %v", got, tt.side)
			}
			if got := bytes.Contains(page, []byte(`"showSymbol":false`)); got != tt.symbolsOff {
				t.Errorf("symbols off %v, want %v", got, tt.symbolsOff)
			}
			if n := bytes.Count(page, []byte(`class="run-toggle"`)); n != tt.runs {
				t.Errorf("%d run toggles, want %d", n, tt.runs)
			}
		})
	}
}

// TestLongHistory checks that a history of thousands of steps reaches the
// page thinned, and that the page says so.
func TestLongHistory(t *testing.T) {
	runs := curves(2, 1, 4000)
	runs[1].metrics = runs[1].metrics[:300]
	page := build(t, "long", runs, report.Options{})
	s := readData(t, page).Charts[0].Option.Series
	if len(s[0].Data) != 1000 || len(s[1].Data) != 300 {
		t.Errorf("series of %d and %d points, want 1000 (thinned) and 300 (whole)", len(s[0].Data), len(s[1].Data))
	}
	if last := s[0].Data[len(s[0].Data)-1][0]; last != 3999.0 {
		t.Errorf("thinned history ends at step %v, want 3999", last)
	}
	if !bytes.Contains(page, []byte("the history of 1 run has more than 1000 points")) {
		t.Errorf("page does not say a history was thinned")
	}
}

func TestNonFiniteValues(t *testing.T) {
	runs := []runSpec{{name: "r", start: 1, metrics: []store.Metric{
		{Key: "loss", Value: 1, Step: 0}, {Key: "loss", Value: math.NaN(), Step: 1},
		{Key: "loss", Value: math.Inf(1), Step: 2}, {Key: "loss", Value: 0.5, Step: 3},
	}}}
	page := build(t, "nan", runs, report.Options{})
	d := readData(t, page)
	data := d.Charts[0].Option.Series[0].Data
	if len(data) != 4 || data[1][1] != nil || data[2][1] != nil || data[3][1] != 0.5 {
		t.Errorf("points %v, want gaps (null) at steps 1 and 2", data)
	}
	if !bytes.Contains(page, []byte("2 values NaN or infinite, drawn as gaps")) {
		t.Errorf("page does not say that values are missing")
	}
}

func TestDuplicateRunNames(t *testing.T) {
	runs := sweep()[:3]
	runs[0].name, runs[1].name = "same", "same"
	d := readData(t, build(t, "dup", runs, report.Options{}))
	s := d.Charts[0].Option.Series
	if s[0].Name == s[1].Name || !strings.HasPrefix(s[0].Name, "same (") || !strings.HasPrefix(s[1].Name, "same (") {
		t.Errorf("legend names %q and %q: runs sharing a name must be told apart", s[0].Name, s[1].Name)
	}
	if s[2].Name != runs[2].name {
		t.Errorf("unique name changed to %q", s[2].Name)
	}
}

// TestDeterministic records the same runs in two orders; the pages must match
// byte for byte.
func TestDeterministic(t *testing.T) {
	runs := append(sweep(), curves(4, 2, 6)...)
	a := build(t, "det", runs, report.Options{})
	rev := slices.Clone(runs)
	slices.Reverse(rev)
	for i := range rev {
		rev[i].metrics = slices.Clone(rev[i].metrics)
		slices.Reverse(rev[i].metrics)
	}
	b := build(t, "det", rev, report.Options{})
	if !bytes.Equal(a, b) {
		t.Errorf("pages differ for the same runs recorded in another order (%d and %d bytes)", len(a), len(b))
	}
}

func TestEmpty(t *testing.T) {
	tests := []struct {
		name string
		runs []runSpec
		want string
	}{
		{"no runs", nil, "This experiment has no runs yet"},
		{"no metrics", []runSpec{{name: "bare", start: 1, params: []store.Param{{Key: "a", Value: "1"}}}}, "have logged no metrics yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := build(t, "empty", tt.runs, report.Options{})
			if !bytes.Contains(page, []byte(tt.want)) {
				t.Errorf("page lacks %q", tt.want)
			}
			if bytes.Contains(page, []byte("<script")) {
				t.Errorf("an empty page needs no script")
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	st := newMemStore()
	id, _ := seed(t, st, "e", sweep())
	ctx := context.Background()
	for _, x := range []string{"param:", "steps", "Param:test_size"} {
		t.Run("x="+x, func(t *testing.T) {
			if _, err := report.Build(ctx, st, id, report.Options{X: x}); err == nil || !strings.HasPrefix(err.Error(), "report: ") {
				t.Errorf("x=%q: error %v, want a report error", x, err)
			}
		})
	}
	if _, err := report.Build(ctx, st, "999", report.Options{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown experiment: %v, want not found", err)
	}
	if _, err := report.Log(ctx, st, "nope", report.Options{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown run: %v, want not found", err)
	}
	if err := report.Render(io.Discard, nil, report.Options{}); err == nil {
		t.Errorf("nil data rendered")
	}
}

func TestLog(t *testing.T) {
	st := newMemStore()
	_, ids := seed(t, st, "logged", sweep())
	ctx := context.Background()
	newest := ids[len(ids)-1]
	page, err := report.Log(ctx, st, newest, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.GetRun(ctx, newest)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := st.Artifacts(ctx, run.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	files, err := repo.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != report.ArtifactName || files[0].Size != int64(len(page)) {
		t.Fatalf("artifacts %+v, want %s of %d bytes", files, report.ArtifactName, len(page))
	}
	rc, err := repo.Open(ctx, report.ArtifactName)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, page) {
		t.Errorf("stored page differs from the returned one")
	}
	if n := len(readData(t, got).Charts[0].Option.Series); n != 5 {
		t.Errorf("logged page draws %d runs, want all 5", n)
	}
}

// withoutECharts cuts the vendored script out of page, so that checks for
// markup see only what grove wrote (ECharts' own code holds "<img" strings).
func withoutECharts(t testing.TB, page []byte) []byte {
	t.Helper()
	js, err := os.ReadFile(filepath.Join("echarts", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(page, js) != 1 {
		t.Fatalf("page does not embed the vendored script exactly once")
	}
	return bytes.Replace(page, js, []byte("/* echarts.min.js "+report.EChartsVersion+" */"), 1)
}

// TestVendoredECharts pins the embedded script and its licence files.
func TestVendoredECharts(t *testing.T) {
	js, err := os.ReadFile(filepath.Join("echarts", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(js)
	readme, err := os.ReadFile(filepath.Join("echarts", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte(hex.EncodeToString(sum[:]))) || !bytes.Contains(readme, []byte(report.EChartsVersion)) {
		t.Errorf("echarts/README.md does not name the vendored file's checksum %x and version %s", sum, report.EChartsVersion)
	}
	for _, f := range []string{"LICENSE", "NOTICE", "licenses/LICENSE-d3"} {
		if fi, err := os.Stat(filepath.Join("echarts", f)); err != nil || fi.Size() == 0 {
			t.Errorf("licence file %s missing beside the vendored script: %v", f, err)
		}
	}
	low := bytes.ToLower(js)
	for _, bad := range []string{"</script", "<!--"} {
		if bytes.Contains(low, []byte(bad)) {
			t.Errorf("vendored script contains %q and cannot be inlined", bad)
		}
	}
	page := build(t, "pinned", sweep()[:1], report.Options{})
	if !bytes.Contains(page, js) {
		t.Errorf("page does not embed the vendored script unchanged")
	}
}

// TestGolden compares whole pages with testdata/*.golden.html, the ECharts
// script cut out (it is pinned by TestVendoredECharts). Regenerate with
// go test ./tracking/report -run Golden -update.
func TestGolden(t *testing.T) {
	hostile := sweep()[:2]
	hostile[0].name, hostile[1].name = xssScript, xssFunc
	tests := []struct {
		name string
		runs []runSpec
		o    report.Options
	}{
		{"sweep", sweep(), report.Options{}},
		{"curves", curves(3, 2, 4), report.Options{}},
		{"hostile", hostile, report.Options{X: "param:test_size"}},
		{"empty", nil, report.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := build(t, tt.name, tt.runs, tt.o)
			if len(tt.runs) > 0 {
				page = withoutECharts(t, page)
			}
			file := filepath.Join("testdata", tt.name+".golden.html")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, page, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(page, want) {
				t.Errorf("page differs from %s; if the change is meant, rerun with -update and review the diff", file)
			}
		})
	}
}

// countingStore counts history requests and fails those for one key.
type countingStore struct {
	*memstore.Store
	mu      sync.Mutex
	calls   int
	failKey string
}

func (s *countingStore) GetMetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	if key == s.failKey {
		return nil, errors.New("connection reset")
	}
	return s.Store.GetMetricHistory(ctx, runID, key)
}

func TestCollectHistories(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		runs      []runSpec
		failKey   string
		wantCalls int
		wantErr   string
	}{
		// Scores logged once at step 0 need no history: the latest value is it.
		{"once per run", sweep(), "", 0, ""},
		{"histories", curves(12, 3, 5), "", 36, ""},
		{"failing history", curves(12, 3, 5), "loss_01", -1, `report: history of metric "loss_01" of run`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &countingStore{Store: newMemStore(), failKey: tt.failKey}
			id, _ := seed(t, st, "c", tt.runs)
			d, err := report.Collect(ctx, st, id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "connection reset") {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.calls != tt.wantCalls {
				t.Errorf("%d history requests, want %d", st.calls, tt.wantCalls)
			}
			if len(d.Runs) != len(tt.runs) {
				t.Fatalf("%d runs, want %d", len(d.Runs), len(tt.runs))
			}
			for _, r := range d.Runs {
				want := 1
				if tt.wantCalls > 0 {
					want = 5 // the whole history, not only the latest point
				}
				for k, pts := range r.Metrics {
					if len(pts) != want {
						t.Errorf("run %s metric %s: %d points, want %d", r.Info.RunName, k, len(pts), want)
					}
				}
			}
		})
	}
}
