package report

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/grove-ml/grove/tracking/store"
)

// maxSeriesPoints is the most points of one run's history a page carries. A
// run that logs a loss every batch can have tens of thousands of steps; at
// 500 such runs the page would weigh hundreds of megabytes and no browser
// would draw it, while a chart a thousand pixels wide shows no more detail.
const maxSeriesPoints = 1000

// Thin returns at most n of pts (n >= 3), sampled as the page samples a long
// history: by largest-triangle-three-buckets over step and value, keeping
// the first and last points, peaks and dips. Points whose value is not
// finite are dropped. pts must be in step order; it is not modified.
func Thin(pts []store.Metric, n int) []store.Metric { return thin(pts, n) }

// thin picks n of pts (n >= 3) by largest-triangle-three-buckets: the first
// and last points, and from each of n-2 equal runs of points between them the
// one that spans the largest triangle with the point kept before it and the
// mean of the next run. Peaks and dips survive, unlike taking every k-th point.
// Points whose value is not finite are dropped first: they cannot be weighed.
func thin(pts []store.Metric, n int) []store.Metric {
	if slices.ContainsFunc(pts, func(p store.Metric) bool { return math.IsNaN(p.Value) || math.IsInf(p.Value, 0) }) {
		pts = slices.DeleteFunc(slices.Clone(pts), func(p store.Metric) bool { return math.IsNaN(p.Value) || math.IsInf(p.Value, 0) })
	}
	if len(pts) <= n || n < 3 {
		return pts
	}
	out := make([]store.Metric, 0, n)
	out = append(out, pts[0])
	every := float64(len(pts)-2) / float64(n-2)
	kept := 0 // index in pts of the last point kept
	for b := 0; b < n-2; b++ {
		lo := int(float64(b)*every) + 1
		hi := int(float64(b+1)*every) + 1
		// The mean of the next run (or the last point, after the last run).
		nlo, nhi := hi, min(int(float64(b+2)*every)+1, len(pts)-1)
		if b == n-3 {
			nlo, nhi = len(pts)-1, len(pts)
		}
		var mx, my float64
		for _, p := range pts[nlo:nhi] {
			mx += float64(p.Step)
			my += p.Value
		}
		mx /= float64(nhi - nlo)
		my /= float64(nhi - nlo)
		ax, ay := float64(pts[kept].Step), pts[kept].Value
		best, bestArea := lo, -1.0
		for j := lo; j < hi; j++ {
			area := math.Abs((ax-mx)*(pts[j].Value-ay) - (ax-float64(pts[j].Step))*(my-ay))
			if area > bestArea {
				best, bestArea = j, area
			}
		}
		out = append(out, pts[best])
		kept = best
	}
	return append(out, pts[len(pts)-1])
}

// StepPoints encodes a history as [[step, value], ...], a value that is not
// a finite number as null, counted in *nonFinite when nonFinite is not nil.
// It writes the JSON itself: boxing every number for encoding/json took most
// of Render's time and memory at 500 runs x 10 metrics x 100 steps. Numbers
// are spelled as encoding/json spells them, so the page is the same either
// way.
func StepPoints(pts []store.Metric, nonFinite *int) json.RawMessage {
	b := make([]byte, 0, 2+len(pts)*26)
	b = append(b, '[')
	for j, p := range pts {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, p.Step, 10)
		b = append(b, ',')
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			if nonFinite != nil {
				*nonFinite++
			}
			b = append(b, "null"...)
		} else {
			b = appendFloat(b, p.Value)
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendFloat spells f as encoding/json does: plain decimals, exponents only
// for very small or very large magnitudes, with a one-digit negative exponent
// written without its leading zero (1e-7, not 1e-07).
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// finite returns v, or nil (a gap in ECharts) when JSON cannot hold it.
func finite(v float64, count *int) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		*count++
		return nil
	}
	return v
}
