package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// benchServer holds an experiment of 1,000 runs (10 params, 10 metrics and
// 5 tags each) and a 10,000-point history in its first run.
func benchServer(b *testing.B) (*testServer, string, string) {
	b.Helper()
	ts := newTestServerIn(b, b.TempDir())
	ctx := context.Background()
	exp, err := ts.st.CreateExperiment(ctx, "bench", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	var first string
	for i := range 1000 {
		r, err := ts.st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: fmt.Sprint("run-", i), StartTime: int64(1_700_000_000_000 + i)})
		if err != nil {
			b.Fatal(err)
		}
		var ms []store.Metric
		var ps []store.Param
		var tags []store.Tag
		for k := range 10 {
			ms = append(ms, store.Metric{Key: fmt.Sprint("m", k), Value: float64(i*k%100) / 100, Timestamp: 1, Step: 0})
			ps = append(ps, store.Param{Key: fmt.Sprint("p", k), Value: fmt.Sprint("v", i%7)})
		}
		for k := range 5 {
			tags = append(tags, store.Tag{Key: fmt.Sprint("t", k), Value: "x"})
		}
		if err := ts.st.LogBatch(ctx, r.Info.RunID, ms, ps, tags); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = r.Info.RunID
		}
	}
	pts := make([]store.Metric, 10000)
	for i := range pts {
		pts[i] = store.Metric{Key: "history", Value: float64(i) / 3, Timestamp: int64(1_700_000_000_000 + i), Step: int64(i)}
	}
	if err := ts.st.LogWholeBatch(ctx, first, pts, nil, nil); err != nil {
		b.Fatal(err)
	}
	return ts, exp, first
}

func BenchmarkServer(b *testing.B) {
	ts, exp, first := benchServer(b)
	for _, bm := range []struct {
		name, method, target, body string
	}{
		{"SearchPage100", "POST", "/api/2.0/mlflow/runs/search", `{"experiment_ids":["` + exp + `"],"max_results":100}`},
		{"GetRun", "GET", "/api/2.0/mlflow/runs/get?run_id=" + first, ""},
		{"History10k", "GET", "/api/2.0/mlflow/metrics/get-history?run_id=" + first + "&metric_key=history&max_results=25000", ""},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(bm.method, bm.target, strings.NewReader(bm.body))
				r.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				ts.h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body.String())
				}
			}
		})
	}
}

// BenchmarkPageThrough reads all 1,000 runs a page of 100 at a time.
func BenchmarkPageThrough(b *testing.B) {
	ts, exp, _ := benchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		tok, pages := "", 0
		for {
			body := `{"experiment_ids":["` + exp + `"],"max_results":100`
			if tok != "" {
				body += `,"page_token":"` + tok + `"`
			}
			r := httptest.NewRequest("POST", "/api/2.0/mlflow/runs/search", strings.NewReader(body+"}"))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			ts.h.ServeHTTP(w, r)
			var out struct {
				NextPageToken string `json:"next_page_token"`
			}
			if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &out) != nil {
				b.Fatalf("%d %s", w.Code, w.Body.String())
			}
			pages++
			if tok = out.NextPageToken; tok == "" {
				break
			}
		}
		if pages != 10 {
			b.Fatalf("%d pages", pages)
		}
	}
}
