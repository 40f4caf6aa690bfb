package ui_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/browsertest"
	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

// bigExperiment records runs of 10 params and 10 metrics each into a
// SQLite store, as the UI's speed targets describe them.
func bigExperiment(b *testing.B, runs int) (*sqlstore.Store, string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "mlflow.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	id, err := st.CreateExperiment(ctx, "big", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range runs {
		r, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: id, RunName: fmt.Sprintf("run-%05d", i), UserID: "grove", StartTime: int64(1_700_000_000_000 + i*1000)})
		if err != nil {
			b.Fatal(err)
		}
		var ms []store.Metric
		var ps []store.Param
		for k := range 10 {
			ms = append(ms, store.Metric{Key: fmt.Sprintf("metric_%02d", k), Value: math.Sin(float64(i*10 + k)), Timestamp: 1})
			ps = append(ps, store.Param{Key: fmt.Sprintf("param_%02d", k), Value: fmt.Sprint((i + k) % 7)})
		}
		if err := st.LogWholeBatch(ctx, r.Info.RunID, ms, ps, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := st.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, r.Info.StartTime+5000, ""); err != nil {
			b.Fatal(err)
		}
	}
	return st, id
}

// BenchmarkRunsPage measures the server's time for the first page of the
// runs table of an experiment of 10,000 runs (10 params, 10 metrics each)
// in MLflow's SQLite schema. The page is written whole once drawn, so this
// is its time to first byte.
func BenchmarkRunsPage(b *testing.B) {
	st, id := bigExperiment(b, 10_000)
	h := ui.New(st, ui.Options{})
	get := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/experiments/"+id, nil))
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
	get() // the experiments list counts the runs once, in the background
	time.Sleep(5 * time.Second)
	for b.Loop() {
		get()
	}
}

// timing reads the navigation's time to first byte and until the page's
// load event, in ms.
const timing = `(function () {
	var n = performance.getEntriesByType("navigation")[0];
	return [n.responseStart - n.startTime, n.loadEventEnd - n.startTime];
})()`

// BenchmarkBrowserRunsPage measures, in headless Chromium, the runs page of
// 10,000 runs: time to first byte and until the table is drawn (load).
func BenchmarkBrowserRunsPage(b *testing.B) {
	st, id := bigExperiment(b, 10_000)
	srv := serve(b, st, ui.Options{})
	br := browsertest.New(b, 1400, 900)
	br.Navigate(b, srv.URL+"/experiments/"+id)
	time.Sleep(5 * time.Second) // the background count of the experiments list
	var ttfb, load float64
	for b.Loop() {
		br.Navigate(b, srv.URL+"/experiments/"+id)
		t := browsertest.Eval[[]float64](b, br, timing)
		ttfb += t[0]
		load += t[1]
	}
	br.CheckClean(b, srv.URL+"/")
	b.ReportMetric(ttfb/float64(b.N), "first-byte-ms")
	b.ReportMetric(load/float64(b.N), "drawn-ms")
}

// chartsDrawn opens path and returns the ms from navigation to the last
// chart drawn.
func chartsDrawn(b *testing.B, br *browsertest.Browser, srv *httptest.Server, path string) float64 {
	b.Helper()
	br.Navigate(b, srv.URL+path)
	browsertest.WaitFor(b, br, `document.documentElement.hasAttribute("data-charts-drawn")`, "charts drawn", 2*time.Minute)
	return browsertest.Eval[float64](b, br, `performance.now()`) // near enough: polled every 50 ms
}

// BenchmarkBrowserLongHistory measures a run's metrics tab whose metric
// has 100,000 points, from navigation until the chart is drawn.
func BenchmarkBrowserLongHistory(b *testing.B) {
	st, id := longHistory(b)
	srv := serve(b, st, ui.Options{})
	br := browsertest.New(b, 1400, 900)
	var total float64
	for b.Loop() {
		total += chartsDrawn(b, br, srv, "/runs/"+id+"/metrics")
	}
	br.CheckClean(b, srv.URL+"/")
	b.ReportMetric(total/float64(b.N), "drawn-ms")
}

// longHistory records a run whose metric loss has 100,000 points.
func longHistory(b *testing.B) (store.Store, string) {
	ctx := context.Background()
	st := memstore.New()
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", RunName: "long"})
	if err != nil {
		b.Fatal(err)
	}
	pts := make([]store.Metric, 100_000)
	for i := range pts {
		pts[i] = store.Metric{Key: "loss", Step: int64(i), Value: math.Exp(-float64(i)/20_000) + 0.05*math.Sin(float64(i))}
	}
	for i := 0; i < len(pts); i += store.MaxBatchMetrics {
		if err := st.LogBatch(ctx, run.Info.RunID, pts[i:min(i+store.MaxBatchMetrics, len(pts))], nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	return st, run.Info.RunID
}

// BenchmarkBrowserCompare measures the compare page of 100 runs with 10
// metrics of 1,000 steps each, from navigation until every chart is drawn.
func BenchmarkBrowserCompare(b *testing.B) {
	st, ids := compareRuns(b)
	srv := serve(b, st, ui.Options{})
	br := browsertest.New(b, 1400, 900)
	var total float64
	for b.Loop() {
		total += chartsDrawn(b, br, srv, "/compare?"+url.Values{"runs": ids}.Encode())
	}
	br.CheckClean(b, srv.URL+"/")
	b.ReportMetric(total/float64(b.N), "drawn-ms")
}

// compareRuns records 100 runs with 10 metrics of 1,000 steps each.
func compareRuns(b *testing.B) (store.Store, []string) {
	ctx := context.Background()
	st := memstore.New()
	var ids []string
	for r := range 100 {
		run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", RunName: fmt.Sprintf("run-%03d", r), StartTime: int64(r)})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, run.Info.RunID)
		var pts []store.Metric
		for k := range 10 {
			for s := range 1000 {
				pts = append(pts, store.Metric{Key: fmt.Sprintf("metric_%02d", k), Step: int64(s), Value: float64(r) + math.Sin(float64(s)/50+float64(k))})
			}
		}
		if err := st.LogBatch(ctx, run.Info.RunID, nil, []store.Param{{Key: "lr", Value: fmt.Sprint(r)}}, nil); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(pts); i += store.MaxBatchMetrics {
			if err := st.LogBatch(ctx, run.Info.RunID, pts[i:min(i+store.MaxBatchMetrics, len(pts))], nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	return st, ids
}

// BenchmarkHistory measures the server's side of a chart: the sampled
// /history answer for a run of 100,000 points, and for one metric of the
// 100 runs of the compare page.
func BenchmarkHistory(b *testing.B) {
	get := func(b *testing.B, h http.Handler, path string) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("100000 points", func(b *testing.B) {
		st, id := longHistory(b)
		get(b, ui.New(st, ui.Options{}), "/history?key=loss&run="+id)
	})
	b.Run("100 runs", func(b *testing.B) {
		st, ids := compareRuns(b)
		get(b, ui.New(st, ui.Options{}), "/history?key=metric_03&"+url.Values{"run": ids}.Encode())
	})
}
