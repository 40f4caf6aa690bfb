package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

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
