package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // the preview's PNG is decoded
	"math"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

func TestPages(t *testing.T) {
	h := hostileStore(t)
	srv := serve(t, h.st, ui.Options{})
	pages := []string{"/", "/?q=script", "/experiments/" + h.expID, "/experiments/" + h.expID + "?view=deleted",
		"/runs/" + h.runID, "/runs/" + h.runID + "/metrics", "/runs/" + h.runID + "/artifacts",
		"/runs/" + h.runID + "/artifacts?path=plots/square.png", "/runs/" + h.runID + "/artifacts?path=page.html",
		"/runs/" + h.runID + "/artifacts?path=config.json", "/compare?runs=" + h.runID + "&runs=" + h.run2ID}
	for _, path := range pages {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, srv, path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
				t.Errorf("policy %q must allow the UI's own scripts only", csp)
			}
			for _, tag := range scriptTag.FindAllString(body, -1) {
				if !strings.Contains(tag, ` src="/static/`) && tag != `<script type="application/json" id="singles">` {
					t.Errorf("inline script element %s", tag)
				}
			}
			if strings.Contains(body, "<img src=x") || strings.Contains(body, "</script><img") {
				t.Errorf("the hostile name is markup in the page")
			}
			if !strings.Contains(body, "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") && path != "/compare?runs="+h.runID+"&runs="+h.run2ID {
				t.Errorf("the hostile name is not shown as text")
			}
		})
	}
	for _, path := range []string{"/experiments/999", "/runs/0123456789abcdef0123456789abcdef", "/nothing"} {
		if resp, _ := get(t, srv, path); resp.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestArtifactFile(t *testing.T) {
	h := hostileStore(t)
	srv := serve(t, h.st, ui.Options{})
	base := "/runs/" + h.runID + "/artifact?path="
	tests := []struct {
		path, query string
		status      int
		ctype, csp  string // want prefixes
		attachment  bool
	}{
		{path: "plots/square.png", status: 200, ctype: "image/png", csp: "sandbox;"},
		{path: "page.html", status: 200, ctype: "text/html", csp: "sandbox allow-scripts;"},
		{path: "page.html", query: "&download=1", status: 200, ctype: "text/html", csp: "sandbox;", attachment: true},
		{path: "plots/" + xss + ".svg", status: 200, ctype: "image/svg+xml", csp: "sandbox;"},
		{path: "config.json", status: 200, ctype: "text/plain", csp: "sandbox;"},
		{path: xss + ".txt", query: "&download=1", status: 200, ctype: "text/plain", csp: "sandbox;", attachment: true},
		{path: "missing.txt", status: 404},
		{path: "../" + h.run2ID + "/page.html", status: 400},
		{path: "/etc/passwd", status: 400},
		{path: "plots/../../x", status: 400},
		{path: `plots\..\..\x`, status: 400},
		{path: "C:x", status: 400},
		{path: "", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.path+tt.query, func(t *testing.T) {
			resp, body := get(t, srv, base+url.QueryEscape(tt.path)+tt.query)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				return
			}
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tt.ctype)
			}
			if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, tt.csp) {
				t.Errorf("Content-Security-Policy %q, want it to start %q", got, tt.csp)
			}
			if got := resp.Header.Get("Content-Disposition"); strings.HasPrefix(got, "attachment") != tt.attachment {
				t.Errorf("Content-Disposition %q, attachment %v", got, tt.attachment)
			}
			if tt.ctype == "image/png" {
				img, _, err := image.Decode(bytes.NewReader([]byte(body)))
				if err != nil || img.Bounds().Dx() != 24 {
					t.Errorf("PNG does not decode to 24 pixels wide: %v", err)
				}
			}
		})
	}
	for path, want := range map[string]int{"../MLmodel": 400, "MLmodel": 404} {
		if resp, _ := get(t, srv, "/models/m-0123/artifact?path="+url.QueryEscape(path)); resp.StatusCode != want {
			t.Errorf("model file %s of a missing model: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp, _ := get(t, srv, "/runs/"+h.runID+"/artifacts?path="+url.QueryEscape("../x")); resp.StatusCode != 400 {
		t.Errorf("artifacts tab with ../x: status %d, want 400", resp.StatusCode)
	}
}
func TestHistorySampled(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", RunName: "long"})
	if err != nil {
		t.Fatal(err)
	}
	const n, spike = 100_000, 73_210
	pts := make([]store.Metric, n)
	for i := range pts {
		pts[i] = store.Metric{Key: "loss", Step: int64(i), Value: math.Exp(-float64(i) / 20_000)}
	}
	pts[spike].Value = 40
	for i := 0; i < n; i += store.MaxBatchMetrics {
		if err := st.LogBatch(ctx, run.Info.RunID, pts[i:min(i+store.MaxBatchMetrics, n)], nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, st, ui.Options{})
	type series struct {
		Total  int          `json:"total"`
		Points [][2]float64 `json:"points"`
	}
	history := func(query string) series {
		t.Helper()
		resp, body := get(t, srv, "/history?key=loss&run="+run.Info.RunID+query)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var got struct{ Series []series }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Series) != 1 {
			t.Fatalf("%d series", len(got.Series))
		}
		return got.Series[0]
	}

	// The chart draws the points MLflow's API samples for its own UI.
	s := history("")
	api := httptest.NewServer(server.New(server.Config{Store: st}))
	defer api.Close()
	_, body := get(t, api, "/api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=loss&max_results=2500&run_ids="+run.Info.RunID)
	var bulk struct {
		Metrics []struct {
			Step  int64   `json:"step"`
			Value float64 `json:"value"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(body), &bulk); err != nil {
		t.Fatal(err)
	}
	if s.Total != n || len(s.Points) != len(bulk.Metrics) || len(s.Points) > 2501 {
		t.Fatalf("%d of %d points drawn, want the %d of get-history-bulk-interval", len(s.Points), s.Total, len(bulk.Metrics))
	}
	for i, m := range bulk.Metrics {
		if s.Points[i] != [2]float64{float64(m.Step), m.Value} {
			t.Fatalf("point %d drawn as %v, MLflow's API samples %+v", i, s.Points[i], m)
		}
	}
	if s.Points[0][0] != 0 || s.Points[len(s.Points)-1][0] != n-1 {
		t.Errorf("first and last steps %v, %v", s.Points[0], s.Points[len(s.Points)-1])
	}

	// Zoomed in around the spike, every step of the range is drawn.
	z := history(fmt.Sprintf("&start_step=%d&end_step=%d", spike-500, spike+500))
	if z.Total != 1001 || len(z.Points) != 1001 {
		t.Errorf("zoomed: %d of %d points drawn, want all 1001", len(z.Points), z.Total)
	}
	if !slices.ContainsFunc(z.Points, func(p [2]float64) bool { return p[0] == spike && p[1] == 40 }) {
		t.Errorf("zoomed in, the spike at step %d is not drawn", spike)
	}
	for _, bad := range []string{"&start_step=5", "&start_step=9&end_step=3", "&start_step=a&end_step=3"} {
		if resp, _ := get(t, srv, "/history?key=loss&run="+run.Info.RunID+bad); resp.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
	for _, bad := range []string{"/history?key=loss", "/history?run=" + run.Info.RunID} {
		if resp, _ := get(t, srv, bad); resp.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestArtifactTreeFolds(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", RunName: "files"})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := st.Artifacts(ctx, run.Info.ArtifactURI)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 70 {
		if err := repo.Put(ctx, fmt.Sprintf("many/f%02d.txt", i), strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := repo.Put(ctx, "other/x.txt", strings.NewReader("picked")); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, st, ui.Options{})
	_, body := get(t, srv, "/runs/"+run.Info.RunID+"/artifacts?path=other/x.txt")
	if !strings.Contains(body, `<details open><summary><span class="fname">other/</span> <span class="size">6 B</span>`) {
		t.Errorf("the folder of the picked file is not open, or its size is not 6 B")
	}
	if !strings.Contains(body, `<details><summary><span class="fname">many/</span> <span class="size">70 B</span>`) {
		t.Errorf("the folder of 70 files is not folded, or its size is not 70 B")
	}
	if !strings.Contains(body, `<pre class="code" id="preview-text">picked</pre>`) {
		t.Errorf("the picked file is not previewed")
	}
}

func TestCompareLimit(t *testing.T) {
	srv := serve(t, memstore.New(), ui.Options{})
	q := url.Values{}
	for i := range 101 {
		q.Add("runs", fmt.Sprintf("%032x", i))
	}
	_, body := get(t, srv, "/compare?"+q.Encode())
	if !strings.Contains(body, "Only the first 100 picked runs are compared; 1 more were left out.") {
		t.Errorf("the page does not say that a run was left out")
	}
	if n := strings.Count(body, `<span class="mono">`); n != 100 {
		t.Errorf("%d runs reported missing, want 100", n)
	}
}
func TestConcurrentPages(t *testing.T) {
	ctx := context.Background()
	h := hostileStore(t)
	srv := serve(t, h.st, ui.Options{})
	var wg sync.WaitGroup
	for c := range 6 {
		wg.Go(func() {
			for i := range 15 {
				path := []string{"/", "/experiments/" + h.expID, "/runs/" + h.runID, "/?q=x"}[(c+i)%4]
				if resp, _ := get(t, srv, path); resp.StatusCode != 200 {
					t.Errorf("%s: status %d", path, resp.StatusCode)
				}
			}
		})
	}
	for i := range 20 {
		if _, err := h.st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: h.expID, RunName: fmt.Sprint("added-", i)}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

func TestStaticFiles(t *testing.T) {
	srv := serve(t, memstore.New(), ui.Options{})
	_, page := get(t, srv, "/")
	m := regexp.MustCompile(`src="(/static/app\.js\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page names no versioned app.js")
	}
	for path, cache := range map[string]string{m[1]: "public, max-age=31536000, immutable", "/static/app.js": "no-cache", "/static/app.js?v=old": "no-cache"} {
		resp, body := get(t, srv, path)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != cache || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(body, "compare") {
			t.Errorf("%s: %d, Cache-Control %q, want %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"), cache)
		}
	}
	if resp, body := get(t, srv, "/static/echarts.min.js"); resp.StatusCode != 200 || len(body) < 500_000 {
		t.Errorf("ECharts: %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, path := range []string{"/static/nothing.js", "/static/..%2fui.go"} {
		if resp, _ := get(t, srv, path); resp.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestProxiedArtifacts shows the artifacts of a run logged through MLflow's
// server in proxy mode, whose location is mlflow-artifacts:/..., from the
// artifact root the UI shares with the server; without one the page says
// why it cannot.
func TestProxiedArtifacts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(dir, "mlartifacts")
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "mlflow.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	exp, err := st.CreateExperiment(ctx, "proxied", "mlflow-artifacts:/7", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: "through mlflow server"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "mlflow-artifacts:/7/" + run.Info.RunID + "/artifacts"; run.Info.ArtifactURI != want {
		t.Fatalf("artifact URI %q, want %q as MLflow's server records it", run.Info.ArtifactURI, want)
	}
	// Where MLflow's server put the files it proxied.
	files := artifact.NewLocal(filepath.Join(root, "7", run.Info.RunID, "artifacts"))
	const report = "accuracy 0.97\n"
	if err := files.Put(ctx, "eval/report.txt", strings.NewReader(report)); err != nil {
		t.Fatal(err)
	}
	tab := "/runs/" + run.Info.RunID + "/artifacts?path=eval/report.txt"

	t.Run("with the server's root", func(t *testing.T) {
		srv := serve(t, st, ui.Options{ArtifactRoot: root})
		resp, body := get(t, srv, tab)
		if resp.StatusCode != 200 {
			t.Fatalf("artifacts tab: status %d: %s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "report.txt") || !strings.Contains(body, report) {
			t.Errorf("artifacts tab lacks the file and its preview:\n%s", body)
		}
		resp, body = get(t, srv, "/runs/"+run.Info.RunID+"/artifact?path=eval/report.txt&download=1")
		if resp.StatusCode != 200 || body != report {
			t.Errorf("download: status %d, %q", resp.StatusCode, body)
		}
	})
	t.Run("without a root", func(t *testing.T) {
		srv := serve(t, st, ui.Options{})
		resp, body := get(t, srv, tab)
		if resp.StatusCode != 400 || !strings.Contains(body, "no artifact root") {
			t.Errorf("status %d, want 400 saying the UI has no artifact root:\n%s", resp.StatusCode, body)
		}
	})
}
