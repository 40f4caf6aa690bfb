package report_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

// FuzzRender draws pages from run names, metric keys, param values and
// metric values an outsider chose, and checks that none of them became
// markup: the page keeps its three scripts, and the data block still decodes
// as JSON holding the metric key exactly and a series per run.
func FuzzRender(f *testing.F) {
	f.Add(xssScript, xssFunc, "0.2", 0.5, int64(0))
	f.Add("a<!--b", "</SCRIPT >", "x\u2028y", math.NaN(), int64(-3))
	f.Add("", "k", "", math.Inf(-1), int64(1)<<40)
	f.Fuzz(func(t *testing.T, name, key, param string, value float64, step int64) {
		d := &report.Data{
			Experiment: store.Experiment{ID: "1", Name: name},
			Runs: []report.RunHistory{
				{
					Info:    store.RunInfo{RunID: "00000000000000000000000000000001", RunName: name, StartTime: 1},
					Params:  []store.Param{{Key: "test_size", Value: param}},
					Metrics: map[string][]store.Metric{key: {{Key: key, Value: value, Step: step}, {Key: key, Value: 1, Step: step + 1}}},
				},
				{
					Info:    store.RunInfo{RunID: "00000000000000000000000000000002", RunName: key, StartTime: 2},
					Params:  []store.Param{{Key: "test_size", Value: name}},
					Metrics: map[string][]store.Metric{key: {{Key: key, Value: value}}},
				},
			},
		}
		for _, x := range []string{"", "param:test_size", "run"} {
			var buf bytes.Buffer
			if err := report.Render(&buf, d, report.Options{X: x}); err != nil {
				t.Fatalf("x=%q: %v", x, err)
			}
			page := withoutECharts(t, buf.Bytes())
			if n := bytes.Count(bytes.ToLower(page), []byte("<script")); n != 3 {
				t.Fatalf("x=%q: %d script elements, want 3", x, n)
			}
			got := readData(t, page)
			var names []string
			for _, c := range got.Charts {
				if c.Metric != key {
					t.Fatalf("x=%q: metric key %q came back as %q", x, key, c.Metric)
				}
				for _, s := range c.Option.Series {
					names = append(names, s.Name)
				}
			}
			if len(names) == 0 {
				t.Fatalf("x=%q: no series", x)
			}
		}
	})
}
