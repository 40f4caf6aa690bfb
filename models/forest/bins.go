package forest

import (
	"math"
	"slices"
	"sync"
)

// maxBins is the most histogram bins a feature gets. A feature with at most
// this many distinct training values gets one bin per value, so histogram
// splits on it are exact; a feature with more gets bins of about equal row
// counts, and nodes small enough to sort fall back to exact thresholds.
const maxBins = 256

// trainData is the training set as the tree builders read it: the caller's
// row-major values for exact thresholds, and a row-major uint8 bin code per
// value for histograms. Row-major bins let one pass over a node's rows fill
// the histograms of all the features drawn for it, touching each row's
// cache line once instead of once per feature.
type trainData struct {
	n, d   int
	x      []float64 // row-major, row i at x[i*stride:]
	stride int
	y      []int32
	k      int // classes

	bins  []uint8 // row-major: row i, feature f at bins[i*d+f]
	nbins []int   // bins used by each feature
	// binLo[f][b] and binHi[f][b] are the least and greatest training value
	// in bin b of feature f; a threshold between two bins is placed midway
	// between them, as scikit-learn places it between adjacent values.
	binLo, binHi [][]float64
	exact        []bool // feature f has one bin per distinct value
}

// binFeatures fills the bin codes of every feature, spreading the features
// over workers.
func (td *trainData) binFeatures(workers int) {
	td.bins = make([]uint8, td.n*td.d)
	td.nbins = make([]int, td.d)
	td.binLo = make([][]float64, td.d)
	td.binHi = make([][]float64, td.d)
	td.exact = make([]bool, td.d)
	var wg sync.WaitGroup
	next := make(chan int, td.d)
	for f := 0; f < td.d; f++ {
		next <- f
	}
	close(next)
	for w := 0; w < min(workers, td.d); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col := make([]float64, td.n)
			for f := range next {
				td.binFeature(f, col)
			}
		}()
	}
	wg.Wait()
}

func (td *trainData) binFeature(f int, col []float64) {
	for i := 0; i < td.n; i++ {
		col[i] = td.x[i*td.stride+f]
	}
	slices.Sort(col)
	distinct := 1
	for i := 1; i < len(col); i++ {
		if col[i] != col[i-1] {
			distinct++
		}
	}
	var lo, hi []float64
	if distinct <= maxBins {
		lo = make([]float64, 0, distinct)
		for i, v := range col {
			if i == 0 || v != col[i-1] {
				lo = append(lo, v)
			}
		}
		hi = lo
		td.exact[f] = true
	} else {
		// Close a bin once it holds its share of rows, never splitting a run
		// of equal values, so bins hold about n/maxBins rows each.
		lo = make([]float64, 0, maxBins)
		hi = make([]float64, 0, maxBins)
		start := 0
		for i := 1; i <= len(col); i++ {
			if i < len(col) && col[i] == col[i-1] {
				continue
			}
			// col[start:i] ends a run of equal values at i.
			b := len(lo)
			target := (b + 1) * len(col) / maxBins
			remainingBins := maxBins - b - 1
			if i >= target || i == len(col) || remainingBins == 0 {
				if remainingBins == 0 {
					i = len(col)
				}
				lo = append(lo, col[start])
				hi = append(hi, col[i-1])
				start = i
			}
		}
	}
	td.binLo[f], td.binHi[f] = lo, hi
	td.nbins[f] = len(lo)
	for i := 0; i < td.n; i++ {
		td.bins[i*td.d+f] = uint8(binOf(hi, td.x[i*td.stride+f]))
	}
}

// binOf returns the first bin whose greatest value is at least v.
func binOf(hi []float64, v float64) int {
	l, r := 0, len(hi)-1
	for l < r {
		m := int(uint(l+r) >> 1)
		if hi[m] < v {
			l = m + 1
		} else {
			r = m
		}
	}
	return l
}

// midpoint is the threshold between adjacent values a < b, computed as
// scikit-learn does so that a <= t < b holds even when rounding would
// carry the mean up to b.
func midpoint(a, b float64) float64 {
	t := a/2 + b/2
	if t >= b || math.IsInf(t, 0) {
		t = a
	}
	return t
}
