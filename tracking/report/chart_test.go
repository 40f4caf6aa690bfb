package report_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

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
