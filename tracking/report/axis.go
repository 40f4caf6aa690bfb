package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// xKind is what a chart's x axis measures.
type xKind int

const (
	xStep     xKind = iota // the metric's step
	xRunOrder              // the run's place in start order, from 1
	xParam                 // the run's value of a param
)

// xChoice is the x axis of one chart.
type xChoice struct {
	kind  xKind
	param string
}

// label names the axis under the chart and in the tooltip.
func (x xChoice) label() string {
	switch x.kind {
	case xRunOrder:
		return "run (start order)"
	case xParam:
		return x.param
	}
	return "step"
}

// autoTestSize is the param the automatic x axis prefers: grove's runs sweep it.
const autoTestSize = "test_size"

// autoX returns the x axis for a metric logged once per run: test_size, else
// the only numeric param that differs between the runs that logged it, else
// run start order.
func autoX(d *Data, metric string) xChoice {
	type stat struct {
		runs    int
		numeric bool
		values  map[float64]bool
	}
	stats := map[string]*stat{}
	withMetrics := 0
	for _, r := range d.Runs {
		if len(r.Metrics[metric]) == 0 {
			continue
		}
		withMetrics++
		for _, p := range r.Params {
			s := stats[p.Key]
			if s == nil {
				s = &stat{numeric: true, values: map[float64]bool{}}
				stats[p.Key] = s
			}
			s.runs++
			v, ok := parseNumber(p.Value)
			if !ok {
				s.numeric = false
				continue
			}
			s.values[v] = true
		}
	}
	var candidates []string
	for key, s := range stats {
		// A param every run with the metric has, numeric and varying, orders the runs.
		if s.runs == withMetrics && s.numeric && len(s.values) >= 2 {
			candidates = append(candidates, key)
		}
	}
	slices.Sort(candidates)
	switch {
	case slices.Contains(candidates, autoTestSize):
		return xChoice{kind: xParam, param: autoTestSize}
	case len(candidates) == 1:
		return xChoice{kind: xParam, param: candidates[0]}
	}
	return xChoice{kind: xRunOrder}
}

// parseNumber reads a param value as a finite number.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// hasHistory reports whether some run logged key at two or more steps.
func hasHistory(d *Data, key string) bool {
	for _, r := range d.Runs {
		pts := r.Metrics[key]
		for i := 1; i < len(pts); i++ {
			if pts[i].Step != pts[0].Step {
				return true
			}
		}
	}
	return false
}

// paramOf returns the value of r's param key, and whether r logged it.
func paramOf(r RunHistory, key string) (string, bool) {
	for _, p := range r.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// paramCategories returns the sorted values of param among the runs that
// logged metric, and whether any is not a number. Numbers sort numerically so
// 0.5 comes before 10 even on a category axis.
func paramCategories(d *Data, metric, param string) ([]string, bool) {
	set := map[string]bool{}
	categ := false
	for _, r := range d.Runs {
		if len(r.Metrics[metric]) == 0 {
			continue
		}
		if v, ok := paramOf(r, param); ok {
			set[v] = true
			if _, num := parseNumber(v); !num {
				categ = true
			}
		}
	}
	if !categ {
		return nil, false
	}
	vals := make([]string, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b string) int {
		fa, na := parseNumber(a)
		fb, nb := parseNumber(b)
		switch {
		case na && nb:
			return cmp.Or(cmp.Compare(fa, fb), strings.Compare(a, b))
		case na:
			return -1
		case nb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return vals, true
}
