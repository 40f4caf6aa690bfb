package ui_test

import (
	"context"
	"fmt"
	"html"
	_ "image/png" // the preview's PNG is decoded
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

// The runs table: search, sorting, paging and the deleted runs.

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
