package forest

import (
	"fmt"
	"math"
	"testing"
)

// TestScanHistCopiesAgree checks that the specialised histogram scans for
// Gini choose the split that scanHistAny, the loop they copy, chooses, on
// random histograms with empty bins. Weights are whole numbers, so both
// ways of summing squares are exact and a tie is a tie in both.
func TestScanHistCopiesAgree(t *testing.T) {
	const nb = 12
	lo, hi := make([]float64, nb), make([]float64, nb)
	for i := range lo {
		lo[i], hi[i] = float64(i), float64(i)+0.5
	}
	for _, k := range []int{2, 3, 5} {
		td := &trainData{n: 1, d: 1, k: k, nbins: []int{nb}, binLo: [][]float64{lo}, binHi: [][]float64{hi}}
		b := newBuilder(td, settings{mtry: 1, minSamplesLeaf: 1}, 0)
		copies := map[string]func(h []float64, W float64) bool{
			"scanHistGini": func(h []float64, W float64) bool { return b.scanHistGini(0, h, W) },
		}
		if k == 2 {
			copies["scanHistGini2"] = func(h []float64, W float64) bool { return b.scanHistGini2(0, h, W) }
		}
		for name, scan := range copies {
			t.Run(fmt.Sprintf("%s/%d classes", name, k), func(t *testing.T) {
				r := newTreeRNG(int64(k), len(name))
				for trial := 0; trial < 2000; trial++ {
					h := make([]float64, nb*k)
					for bin := 0; bin < nb; bin++ {
						if r.intn(3) == 0 {
							continue // an empty bin
						}
						for c := 0; c < k; c++ {
							h[bin*k+c] = float64(r.intn(4))
						}
					}
					clear(b.total)
					var W float64
					for i, v := range h {
						b.total[i%k] += v
						W += v
					}
					if W == 0 {
						continue
					}
					want, wantBoundary := scanResult(b, func() bool { return b.scanHistAny(0, h, nil, 0, W) })
					got, gotBoundary := scanResult(b, func() bool { return scan(h, W) })
					if got != want || gotBoundary != wantBoundary {
						t.Fatalf("histogram %v: got %+v (boundary %v), scanHistAny %+v (boundary %v)", h, got, gotBoundary, want, wantBoundary)
					}
				}
			})
		}
	}
}

// scanOutcome is what a histogram scan leaves in builder.best.
type scanOutcome struct {
	found bool
	bin   uint8
	thr   float64
	proxy float64
	left  string
}

// scanResult runs scan on b from a fresh best split and returns what it
// chose, and whether it saw a boundary.
func scanResult(b *builder, scan func() bool) (scanOutcome, bool) {
	b.best.found = false
	b.best.proxy = math.Inf(-1)
	clear(b.best.leftW)
	boundary := scan()
	bs := b.best
	return scanOutcome{bs.found, bs.bin, bs.thr, bs.proxy, fmt.Sprint(bs.leftW)}, boundary
}
