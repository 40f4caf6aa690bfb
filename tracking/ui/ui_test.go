package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
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

// recording is a store that remembers the run searches it answers and
// refuses one filter as MLflow refuses a bad one. It hides the store's
// store.Manager, so the UI must find experiments without searching them.
type recording struct {
	store.Store
	bad string

	mu      sync.Mutex
	queries []store.RunQuery
}

func (r *recording) SearchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	if r.bad != "" && q.Filter == r.bad {
		return nil, "", store.Errorf(store.CodeInvalidParameter, "Invalid clause(s) in filter string: %q", q.Filter)
	}
	return r.Store.SearchRuns(ctx, q)
}

// last returns the last search of the runs of experiment id.
func (r *recording) last(id string) store.RunQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.queries) - 1; i >= 0; i-- {
		if q := r.queries[i]; slices.Equal(q.ExperimentIDs, []string{id}) && q.MaxResults != store.ListPageSize {
			return q
		}
	}
	return store.RunQuery{}
}

var scriptTag = regexp.MustCompile(`<script[^>]*>`)

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

// TestSearchPassedToStore checks that the filter box, a header's sort link
// and the deleted view reach the store as MLflow's search, and that the
// store's error for a bad filter is shown under the box.
func TestSearchPassedToStore(t *testing.T) {
	h := hostileStore(t)
	rec := &recording{Store: h.st, bad: "metrics.accuracy >>> 1"}
	srv := serve(t, rec, ui.Options{})
	exp := "/experiments/" + h.expID

	_, body := get(t, srv, exp+"?filter="+url.QueryEscape("params.test_size = '0.2'")+"&order_by="+url.QueryEscape("metrics.`accuracy` DESC"))
	q := rec.last(h.expID)
	if q.Filter != "params.test_size = '0.2'" || !slices.Equal(q.OrderBy, []string{"metrics.`accuracy` DESC"}) || q.ViewType != store.ViewActiveOnly {
		t.Errorf("store asked for %+v", q)
	}
	// The sorted header sorts the other way next; the others descending first.
	body = html.UnescapeString(body)
	if !strings.Contains(body, "order_by="+url.QueryEscape("metrics.`accuracy` ASC")) || !strings.Contains(body, "accuracy <span class=\"arrow\">▼</span>") {
		t.Errorf("the sorted header does not offer the ascending order")
	}
	if !strings.Contains(body, "order_by="+url.QueryEscape("params.`test_size` DESC")) {
		t.Errorf("the test_size header does not sort by it")
	}
	if !strings.Contains(body, `value="params.test_size = '0.2'"`) {
		t.Errorf("the filter box does not keep the filter")
	}

	resp, body := get(t, srv, exp+"?filter="+url.QueryEscape(rec.bad))
	if resp.StatusCode != 200 {
		t.Errorf("bad filter: status %d", resp.StatusCode)
	}
	if !strings.Contains(body, `id="filter-error" role="alert">Invalid clause(s) in filter string: &#34;metrics.accuracy &gt;&gt;&gt; 1&#34;</p>`) {
		t.Errorf("the store's error is not under the filter box:\n%s", body)
	}

	get(t, srv, exp+"?view=deleted")
	if q := rec.last(h.expID); q.ViewType != store.ViewDeletedOnly {
		t.Errorf("deleted view asked the store for view %v", q.ViewType)
	}
	// Without store.Manager, the experiments are still listed.
	if _, body := get(t, srv, "/?q=img"); !strings.Contains(body, `<a href="/experiments/`+h.expID+`">&lt;/script&gt;`) || strings.Contains(body, ">Default</a></td>") {
		t.Errorf("experiments found by name: the hostile one only, not Default")
	}
}

// rowsOf returns the run ids of a runs page, in order.
var rowRun = regexp.MustCompile(`<tr data-run="([0-9a-f]+)">`)

func rowsOf(body string) []string {
	var ids []string
	for _, m := range rowRun.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var nextLink = regexp.MustCompile(`<a href="([^"]+)" id="next-page">`)

func TestPaging(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	id, err := st.CreateExperiment(ctx, "many", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 250 {
		if _, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: id, RunName: fmt.Sprintf("run-%03d", i), StartTime: int64(1000 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, st, ui.Options{PageSize: 100})
	seen := map[string]bool{}
	var sizes []int
	path := "/experiments/" + id
	for path != "" {
		_, body := get(t, srv, path)
		ids := rowsOf(body)
		sizes = append(sizes, len(ids))
		for _, r := range ids {
			if seen[r] {
				t.Errorf("run %s on two pages", r)
			}
			seen[r] = true
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		if len(sizes) > 5 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) || len(seen) != 250 {
		t.Errorf("pages of %v runs, %d runs in all; want 100, 100, 50 and 250", sizes, len(seen))
	}
}

func TestDeletedRuns(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	id, err := st.CreateExperiment(ctx, "some deleted", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		r, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: id, RunName: fmt.Sprint("r", i), StartTime: int64(1000 + i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Info.RunID)
	}
	if err := st.DeleteRun(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, st, ui.Options{})
	_, active := get(t, srv, "/experiments/"+id)
	_, deleted := get(t, srv, "/experiments/"+id+"?view=deleted")
	if got := rowsOf(active); !slices.Equal(got, []string{ids[2], ids[0]}) {
		t.Errorf("active runs %v, want %v", got, []string{ids[2], ids[0]})
	}
	if got := rowsOf(deleted); !slices.Equal(got, []string{ids[1]}) {
		t.Errorf("deleted runs %v, want %v", got, ids[1:2])
	}
	if _, home := get(t, srv, "/"); !strings.Contains(home, `<td class="num">2</td>`) {
		t.Errorf("the experiments table does not count 2 active runs")
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

// TestSearchChangesRows checks, on a store that answers MLflow's search
// (the in-memory one), that the filter box and the sort links change the
// rows, and that a bad filter shows the store's own message.
func TestSearchChangesRows(t *testing.T) {
	h := hostileStore(t)
	srv := serve(t, h.st, ui.Options{})
	exp := "/experiments/" + h.expID
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{h.run2ID, h.runID}}, // newest first
		{"?filter=" + url.QueryEscape("params.test_size = '0.2'"), []string{h.runID}},
		{"?filter=" + url.QueryEscape("metrics.accuracy > 0.905"), []string{h.run2ID}},
		{"?order_by=" + url.QueryEscape("params.`test_size` ASC"), []string{h.runID, h.run2ID}},
		{"?order_by=" + url.QueryEscape("metrics.`accuracy` DESC"), []string{h.run2ID, h.runID}},
		{"?order_by=" + url.QueryEscape("attributes.start_time ASC"), []string{h.runID, h.run2ID}},
	}
	for _, tt := range tests {
		_, body := get(t, srv, exp+tt.query)
		if got := rowsOf(body); !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %v, want %v", tt.query, got, tt.want)
		}
	}
	_, body := get(t, srv, exp+"?filter="+url.QueryEscape("metrics.accuracy >>> 1"))
	if !strings.Contains(html.UnescapeString(body), "Invalid comparator '>>>'") || len(rowsOf(body)) != 0 {
		t.Errorf("a bad filter does not show the store's message")
	}
}

// TestConcurrentPages serves pages to several clients while runs are added,
// so that the race detector sees the experiments list counted in the
// background as pages read it.
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
