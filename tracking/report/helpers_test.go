package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/memstore"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

// The names a hostile or careless user could give a run: one that closes the
// script element and one that go-echarts' templates would turn into code.
const (
	xssScript = `</script><img src=x onerror=alert(1)>`
	xssFunc   = `__f__alert(1)__f__`
)

// newMemStore returns the in-memory store the report is tested against,
// paging SearchRuns three runs at a time so every test crosses pages.
func newMemStore() *memstore.Store {
	s := memstore.New()
	s.PageSize = 3
	return s
}

// runSpec is one run to record: its name, start time, params and metric points.
type runSpec struct {
	name    string
	start   int64
	params  []store.Param
	metrics []store.Metric
}

// seed records runs in a new experiment of st through the Store interface and
// returns the experiment id and run ids in the order given.
func seed(t testing.TB, st store.Store, exp string, runs []runSpec) (string, []string) {
	t.Helper()
	ctx := context.Background()
	expID, err := st.CreateExperiment(ctx, exp, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rs := range runs {
		r, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: rs.name, StartTime: rs.start})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs.params) > 0 {
			if err := st.LogBatch(ctx, r.Info.RunID, nil, rs.params, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < len(rs.metrics); i += store.MaxBatchMetrics {
			end := min(i+store.MaxBatchMetrics, len(rs.metrics))
			if err := st.LogBatch(ctx, r.Info.RunID, rs.metrics[i:end], nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.UpdateRun(ctx, r.Info.RunID, store.StatusFinished, rs.start+1000, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Info.RunID)
	}
	return expID, ids
}

// sweep is the realistic experiment: five runs over test sizes, each logging
// its scores once, as cmd/train does.
func sweep() []runSpec {
	var runs []runSpec
	for i, ts := range []string{"0.1", "0.2", "0.3", "0.4", "0.5"} {
		start := int64(1_790_000_000_000 + i*60_000)
		acc := 0.97 - 0.02*float64(i) + 0.004*float64(i%2)
		runs = append(runs, runSpec{
			name:  "forest-test-size-" + ts,
			start: start,
			params: []store.Param{
				{Key: "n_estimators", Value: "100"},
				{Key: "random_state", Value: "42"},
				{Key: "test_size", Value: ts},
			},
			metrics: []store.Metric{
				{Key: "training_accuracy_score", Value: 1, Timestamp: start + 10},
				{Key: "training_f1_score", Value: 1, Timestamp: start + 10},
				{Key: "test_accuracy_score", Value: acc, Timestamp: start + 20},
				{Key: "test_f1_score", Value: acc - 0.01, Timestamp: start + 20},
			},
		})
	}
	return runs
}

// curves returns n runs that each log metrics keys at steps 0..steps-1.
func curves(n, keys, steps int) []runSpec {
	runs := make([]runSpec, n)
	for i := range runs {
		start := int64(1_790_000_000_000 + i*1000)
		rs := runSpec{name: fmt.Sprintf("run-%03d", i), start: start,
			params: []store.Param{{Key: "learning_rate", Value: fmt.Sprint(0.01 * float64(i+1))}}}
		for k := 0; k < keys; k++ {
			for s := 0; s < steps; s++ {
				v := math.Exp(-float64(s)/float64(10+i%7)) + 0.1*float64(k) + 0.001*float64(i)
				rs.metrics = append(rs.metrics, store.Metric{Key: fmt.Sprintf("loss_%02d", k), Value: v, Step: int64(s), Timestamp: start + int64(s)})
			}
		}
		runs[i] = rs
	}
	return runs
}

// build records runs in a fresh memStore and returns the page.
func build(t testing.TB, exp string, runs []runSpec, o report.Options) []byte {
	t.Helper()
	st := newMemStore()
	id, _ := seed(t, st, exp, runs)
	page, err := report.Build(context.Background(), st, id, o)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// pageData is the part of the page's JSON data block the tests read.
type pageData struct {
	Charts []struct {
		ID     string `json:"id"`
		Metric string `json:"metric"`
		X      string `json:"x"`
		Option struct {
			Title struct {
				Text string `json:"text"`
			} `json:"title"`
			Legend struct {
				Type string `json:"type"`
				Show *bool  `json:"show"`
			} `json:"legend"`
			DataZoom []struct {
				Type string `json:"type"`
			} `json:"dataZoom"`
			XAxis struct {
				Type string   `json:"type"`
				Name string   `json:"name"`
				Data []string `json:"data"`
			} `json:"xAxis"`
			Series []struct {
				Name  string  `json:"name"`
				ID    string  `json:"id"`
				Color string  `json:"color"`
				Data  [][]any `json:"data"`
			} `json:"series"`
		} `json:"option"`
	} `json:"charts"`
}

const dataOpen = `<script type="application/json" id="grove-data">`

// readData decodes the page's JSON data block.
func readData(t testing.TB, page []byte) pageData {
	t.Helper()
	_, rest, ok := bytes.Cut(page, []byte(dataOpen))
	if !ok {
		t.Fatalf("page has no data block")
	}
	js, _, ok := bytes.Cut(rest, []byte("</script>"))
	if !ok {
		t.Fatalf("data block is not closed")
	}
	var d pageData
	if err := json.Unmarshal(js, &d); err != nil {
		t.Fatalf("data block is not JSON: %v", err)
	}
	return d
}
