package evaluate

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// scored is one score and the class of its sample.
type scored struct {
	key   uint64 // the score's bits: for scores >= 0 they order as the scores do
	label uint32
}

// scoreKey maps a probability to a key whose unsigned order is the order of
// the probabilities; -0 becomes +0 so that it ties with 0 as in numpy.
func scoreKey(p float64) uint64 {
	if p == 0 {
		return 0
	}
	return math.Float64bits(p)
}

// scoreSorter sorts scores with their labels, reusing its buffers between
// columns.
type scoreSorter struct {
	s, tmp []scored
	hist   *[4][1 << 16]int
	counts []int // per-label counts inside one group of tied scores
	below  []int64
	u2     []int64
}

func newScoreSorter(n int) *scoreSorter {
	return &scoreSorter{s: make([]scored, 0, n)}
}

// radixMin is the size from which a radix sort beats a comparison sort.
const radixMin = 4096

// sort orders s by key. Large inputs take an LSD radix sort on 16-bit
// digits, which is linear and skips the digits all keys share.
func (ss *scoreSorter) sort() {
	s := ss.s
	if len(s) < radixMin {
		slices.SortFunc(s, func(a, b scored) int { return cmp.Compare(a.key, b.key) })
		return
	}
	if cap(ss.tmp) < len(s) {
		ss.tmp = make([]scored, len(s))
	}
	tmp := ss.tmp[:len(s)]
	if ss.hist == nil {
		ss.hist = new([4][1 << 16]int)
	} else {
		*ss.hist = [4][1 << 16]int{}
	}
	hist := ss.hist
	for _, v := range s {
		hist[0][v.key&0xffff]++
		hist[1][v.key>>16&0xffff]++
		hist[2][v.key>>32&0xffff]++
		hist[3][v.key>>48]++
	}
	for d := range 4 {
		h := &hist[d]
		shift := 16 * d
		if h[s[0].key>>shift&0xffff] == len(s) {
			continue // every key has this digit: the pass would change nothing
		}
		pos := 0
		for i, c := range h {
			h[i] = pos
			pos += c
		}
		for _, v := range s {
			dg := v.key >> shift & 0xffff
			tmp[h[dg]] = v
			h[dg]++
		}
		s, tmp = tmp, s
	}
	if &s[0] != &ss.s[0] {
		copy(ss.s, s)
	}
}

// aucs sorts the samples by column c of proba and, in one pass over them,
// returns the one-vs-rest AUC of class c and, if pair is not nil, fills
// pair[b] with the AUC of column c telling class c from class b on the
// samples of those two classes (the one-vs-one half that column c scores).
//
// Each AUC is the Mann-Whitney statistic, the chance that a positive
// outranks a negative with ties counting one half, which equals the
// trapezoidal area under the ROC curve that scikit-learn integrates. The
// statistic is kept doubled in integers so that it is exact and the only
// rounding is the final division. Classes c (and b) must both be present.
func (ss *scoreSorter) aucs(yTrue []int, proba *mat.Dense, c, k int, support []int, pair []float64) float64 {
	raw := proba.RawMatrix()
	s := ss.s[:0]
	for i, y := range yTrue {
		s = append(s, scored{scoreKey(raw.Data[i*raw.Stride+c]), uint32(y)})
	}
	ss.s = s
	ss.sort()
	s = ss.s

	if pair != nil {
		ss.counts = resize(ss.counts, k)
		ss.below = resize(ss.below, k)
		ss.u2 = resize(ss.u2, k)
	}
	var negBelow, u2 int64 // one-vs-rest: negatives seen, doubled U
	for i := 0; i < len(s); {
		j := i
		var pos, neg int64
		key := s[i].key
		for ; j < len(s) && s[j].key == key; j++ {
			if int(s[j].label) == c {
				pos++
			} else {
				neg++
				if pair != nil {
					ss.counts[s[j].label]++
				}
			}
		}
		u2 += 2*pos*negBelow + pos*neg
		negBelow += neg
		if pair != nil {
			for b := range k {
				m := int64(ss.counts[b])
				if pos > 0 {
					ss.u2[b] += 2*pos*ss.below[b] + pos*m
				}
				ss.below[b] += m
				ss.counts[b] = 0
			}
		}
		i = j
	}
	for b := range pair {
		if b != c && support[b] > 0 {
			pair[b] = float64(ss.u2[b]) / (2 * float64(support[c]) * float64(support[b]))
		}
	}
	p := int64(support[c])
	if p == 0 || p == int64(len(s)) {
		return 0 // one-vs-one skips such classes; one-vs-rest refused them before
	}
	return float64(u2) / (2 * float64(p) * float64(int64(len(s))-p))
}

// microAUC is one-vs-rest micro averaging: every (sample, class) cell is one
// binary decision, positive when the class is the sample's, scored by its
// probability.
func microAUC(yTrue []int, proba *mat.Dense) float64 {
	n, k := proba.Dims()
	ss := &scoreSorter{s: make([]scored, 0, n*k)}
	for i, y := range yTrue {
		for c, p := range proba.RawRowView(i) {
			var pos uint32
			if c == y {
				pos = 1
			}
			ss.s = append(ss.s, scored{scoreKey(p), pos})
		}
	}
	ss.sort()
	support := []int{n*k - n, n}
	return ss.aucs2(support)
}

// aucs2 is aucs for already sorted 0/1 labels with class 1 positive.
func (ss *scoreSorter) aucs2(support []int) float64 {
	s := ss.s
	var negBelow, u2 int64
	for i := 0; i < len(s); {
		j := i
		var pos, neg int64
		for key := s[i].key; j < len(s) && s[j].key == key; j++ {
			if s[j].label == 1 {
				pos++
			} else {
				neg++
			}
		}
		u2 += 2*pos*negBelow + pos*neg
		negBelow += neg
		i = j
	}
	return float64(u2) / (2 * float64(support[1]) * float64(support[0]))
}

// resize returns s with length n, zeroed.
func resize[T int | int64](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
