package forest

// The split search: for one node, drawing the features to try and finding
// the best threshold on each, by a histogram over its bins or by sorting
// the node's values, whichever costs less.

import (
	"math"
	"math/bits"
)

// sortItem is a node's sample as the exact splitter sorts it.
type sortItem struct {
	v float64
	c int32
	p int32 // position in the node's samples, for the weight
}

// split is the best split found so far in a node.
type split struct {
	feat   int
	thr    float64
	byBin  bool  // partition by bin code (<= bin) instead of by value
	bin    uint8 // last bin that goes left
	proxy  float64
	found  bool
	leftW  []float64 // class weights going left
	rightW []float64 // class weights going right, filled once the node splits
}

// sortLimit is the node size up to which the exact splitter, which sorts
// the node's values, is always used on features binned by quantiles. On the
// bench data quantile bins lost no accuracy measurable over five seeds, so
// by default only the cost rule in useSort decides.
var sortLimit = 0

// findSplit draws features as scikit-learn's BestSplitter does: it visits
// s.mtry features, counting constant ones, but goes on past s.mtry until it
// has seen at least one feature that is not constant in the node. The
// first s.mtry features are evaluated together (one pass over the node for
// all their histograms); any further ones, one at a time. A feature in
// known (constant in an ancestor, so in this node too) is visited without
// being looked at; features found constant here are left in b.foundConst.
func (b *builder) findSplit(start, end int, W float64, r *rng, known []uint64) {
	td := b.td
	d := td.d
	b.best.found = false
	b.best.proxy = math.Inf(-1)
	b.foundConst = b.foundConst[:0]
	nNode := end - start
	m := min(b.s.mtry, d)
	hf := b.histFeats[:0]
	nonConst := false
	for j := 0; j < m; j++ {
		q := j + r.intn(d-j)
		b.feats[j], b.feats[q] = b.feats[q], b.feats[j]
		f := int(b.feats[j])
		switch {
		case known[f>>6]&(1<<(f&63)) != 0:
		case b.useSort(f, nNode):
			if b.splitExact(f, start, end, W) {
				b.foundConst = append(b.foundConst, f)
			} else {
				nonConst = true
			}
		default:
			hf = append(hf, f)
		}
	}
	b.histFeats = hf
	if len(hf) > 0 && b.splitHist(hf, start, end, W) {
		nonConst = true
	}
	for j := m; j < d && !nonConst; j++ {
		q := j + r.intn(d-j)
		b.feats[j], b.feats[q] = b.feats[q], b.feats[j]
		f := int(b.feats[j])
		var constant bool
		switch {
		case known[f>>6]&(1<<(f&63)) != 0:
			continue
		case b.useSort(f, nNode):
			constant = b.splitExact(f, start, end, W)
			if constant {
				b.foundConst = append(b.foundConst, f)
			}
		default:
			b.histFeats = append(b.histFeats[:0], f)
			constant = !b.splitHist(b.histFeats, start, end, W)
		}
		nonConst = !constant
	}
}

// useSort tells whether to sort the node's values rather than fill a
// histogram. Sorting is exact and wins on small nodes; a histogram costs
// about a pass over its bins and classes whatever the node's size, a sort
// about n log2 n steps. Nodes up to sortLimit rows are always sorted when
// the feature's bins are quantiles, so their thresholds are exact.
func (b *builder) useSort(f, nNode int) bool {
	td := b.td
	if !td.exact[f] && nNode <= sortLimit {
		return true
	}
	return nNode*bits.Len(uint(nNode)) <= td.nbins[f]*td.k
}

// proxy is a score that orders splits as their impurity decrease does,
// cheaper to compute: for Gini, sum(L^2)/WL + sum(R^2)/WR; for entropy,
// the negated weighted child entropies (in nats).
func (b *builder) proxy(left []float64, WL, WR float64) float64 {
	if b.s.entropy {
		var v float64
		for c, l := range left {
			if l > 0 {
				v += l * math.Log(l/WL)
			}
			if rr := b.total[c] - l; rr > 0 {
				v += rr * math.Log(rr/WR)
			}
		}
		return v
	}
	var sl, sr float64
	for c, l := range left {
		rr := b.total[c] - l
		sl += l * l
		sr += rr * rr
	}
	return sl/WL + sr/WR
}

// splitHist fills the class-weight histograms of the features feats over
// the node in one pass, scans each for its best boundary, and updates
// b.best. It reports whether any of the features is not constant in the
// node.
func (b *builder) splitHist(feats []int, start, end int, W float64) bool {
	td := b.td
	k, d := td.k, td.d
	rb := b.rb[start*d : end*d]
	samples := b.samples[start:end]
	off := b.histOff[:len(feats)]
	o := 0
	for j, f := range feats {
		off[j] = o
		o += td.nbins[f] * k
	}
	h := b.hist[:o]
	clear(h)
	switch len(feats) {
	case 1:
		f := feats[0]
		for p, sm := range samples {
			h[int(rb[p*d+f])*k+int(sm.c)] += sm.w
		}
	default:
		for p, sm := range samples {
			row := rb[p*d : p*d+d]
			c, w := int(sm.c), sm.w
			for j, f := range feats {
				h[off[j]+int(row[f])*k+c] += w
			}
		}
	}
	nonConst := false
	for j, f := range feats {
		if b.scanHist(f, h[off[j]:off[j]+td.nbins[f]*k], start, end, W) {
			nonConst = true
		} else {
			b.foundConst = append(b.foundConst, f)
		}
	}
	return nonConst
}

// scanHist scans one feature's histogram h over the node for the best
// boundary between bins and updates b.best; it reports whether the node's
// rows fall in more than one bin.
//
// scanHistGini and scanHistGini2 are near-copies of its loop, on purpose:
// the scan runs for every feature drawn in every node large enough for a
// histogram, so it is the fit's innermost loop, and the commonest settings
// (Gini, MinSamplesLeaf 1, and then two classes) each get a loop with no
// test, call or class loop that their case does not need. A change to how
// bins are walked (empty bins skipped, a boundary between two non-empty
// bins, ties kept by the first) must be made in all three;
// TestScanHistCopiesAgree checks that they choose the same split as
// scanHistAny.
func (b *builder) scanHist(f int, h []float64, start, end int, W float64) bool {
	td := b.td
	needCount := b.s.minSamplesLeaf > 1
	if !needCount && !b.s.entropy {
		if td.k == 2 {
			return b.scanHistGini2(f, h, W)
		}
		return b.scanHistGini(f, h, W)
	}
	var cnt []int32
	if needCount {
		cnt = b.binCount[:td.nbins[f]]
		clear(cnt)
		d := td.d
		for p := start; p < end; p++ {
			cnt[b.rb[p*d+f]]++
		}
	}
	return b.scanHistAny(f, h, cnt, end-start, W)
}

// scanHistAny is scanHist's loop for any criterion; cnt, when not nil,
// holds the node's row count per bin, and a boundary must then leave
// MinSamplesLeaf rows of the node's nNode on each side.
func (b *builder) scanHistAny(f int, h []float64, cnt []int32, nNode int, W float64) bool {
	td := b.td
	k := td.k
	nb := td.nbins[f]
	needCount := cnt != nil
	minLeaf := b.s.minSamplesLeaf
	cum := b.cum
	clear(cum)
	var WL float64
	nLeft := 0
	prev := -1
	boundary := false
	bs := &b.best
	for bin := 0; bin < nb; bin++ {
		hb := h[bin*k : bin*k+k]
		var wb float64
		for _, v := range hb {
			wb += v
		}
		if wb <= 0 {
			continue
		}
		if prev >= 0 {
			boundary = true
			if !needCount || (nLeft >= minLeaf && nNode-nLeft >= minLeaf) {
				p := b.proxy(cum, WL, W-WL)
				if p > bs.proxy {
					bs.setBin(td, f, prev, bin, p, cum)
				}
			}
		}
		for c, v := range hb {
			cum[c] += v
		}
		WL += wb
		if needCount {
			nLeft += int(cnt[bin])
		}
		prev = bin
	}
	return boundary
}

// scanHistGini is scanHist for Gini without a minimum leaf size: it keeps
// the sums of squared class weights on both sides up to date as bins move
// left, so a boundary costs two divisions rather than a pass over the
// classes. It is a specialised copy of scanHist's loop; see scanHist for
// why.
func (b *builder) scanHistGini(f int, h []float64, W float64) bool {
	k := b.td.k
	nb := len(h) / k
	cum := b.cum
	clear(cum)
	total := b.total
	var sl, sr, WL float64
	for _, v := range total {
		sr += v * v
	}
	prev := -1
	boundary := false
	bs := &b.best
	for bin := 0; bin < nb; bin++ {
		hb := h[bin*k : bin*k+k]
		var wb float64
		for _, v := range hb {
			wb += v
		}
		if wb <= 0 {
			continue
		}
		if prev >= 0 {
			boundary = true
			if p := sl/WL + sr/(W-WL); p > bs.proxy {
				bs.setBin(b.td, f, prev, bin, p, cum)
			}
		}
		for c, v := range hb {
			if v != 0 {
				l := cum[c]
				r := total[c] - l
				sl += (2*l + v) * v
				sr -= (2*r - v) * v
				cum[c] = l + v
			}
		}
		WL += wb
		prev = bin
	}
	return boundary
}

// scanHistGini2 is scanHist for the commonest case, two classes, Gini and
// no minimum leaf size, with the class loops and the proxy unrolled and the
// best boundary kept in registers until the end. It is a specialised copy
// of scanHist's loop; see scanHist for why.
func (b *builder) scanHistGini2(f int, h []float64, W float64) bool {
	nb := len(h) / 2
	t0, t1 := b.total[0], b.total[1]
	var l0, l1 float64
	prev := -1
	boundary := false
	bs := &b.best
	best := bs.proxy
	bestBin, bestNext := -1, -1
	var bl0, bl1 float64
	for bin := 0; bin < nb; bin++ {
		h0, h1 := h[2*bin], h[2*bin+1]
		if h0+h1 <= 0 {
			continue
		}
		if prev >= 0 {
			boundary = true
			wl := l0 + l1
			r0, r1 := t0-l0, t1-l1
			if p := (l0*l0+l1*l1)/wl + (r0*r0+r1*r1)/(W-wl); p > best {
				best, bestBin, bestNext, bl0, bl1 = p, prev, bin, l0, l1
			}
		}
		l0 += h0
		l1 += h1
		prev = bin
	}
	if bestBin >= 0 {
		bs.setBin(b.td, f, bestBin, bestNext, best, []float64{bl0, bl1})
	}
	return boundary
}

// splitExact sorts the node's values of feature f and scans every
// boundary between distinct values; it reports whether f is constant. The
// scan is written twice, for entropy and for Gini, so that the Gini loop,
// the usual one, keeps its sums of squares in O(1) per sample with no
// test of the criterion inside; both must skip the same boundaries.
func (b *builder) splitExact(f, start, end int, W float64) bool {
	td := b.td
	m := end - start
	items := b.items[:0]
	x, stride := td.x, td.stride
	samples := b.samples[start:end]
	for p, sm := range samples {
		items = append(items, sortItem{v: x[int(sm.i)*stride+f], c: sm.c, p: int32(p)})
	}
	b.items = items
	sortItems(items)
	if items[0].v == items[m-1].v {
		return true
	}
	minLeaf := b.s.minSamplesLeaf
	cum := b.cum
	clear(cum)
	var WL float64
	bs := &b.best
	if b.s.entropy {
		for p := 0; p < m-1; p++ {
			it := items[p]
			w := samples[it.p].w
			cum[it.c] += w
			WL += w
			if items[p+1].v == it.v {
				continue
			}
			if nl := p + 1; nl < minLeaf || m-nl < minLeaf {
				continue
			}
			if pr := b.proxy(cum, WL, W-WL); pr > bs.proxy {
				bs.set(f, midpoint(it.v, items[p+1].v), pr, cum)
			}
		}
		return false
	}
	// Gini: keep the sums of squared class weights on each side up to date
	// in O(1) per sample instead of recomputing them over the classes.
	var sl, sr float64
	for _, v := range b.total {
		sr += v * v
	}
	for p := 0; p < m-1; p++ {
		it := items[p]
		w := samples[it.p].w
		l := cum[it.c]
		r := b.total[it.c] - l
		sl += (2*l + w) * w
		sr -= (2*r - w) * w
		cum[it.c] = l + w
		WL += w
		if items[p+1].v == it.v {
			continue
		}
		if nl := p + 1; nl < minLeaf || m-nl < minLeaf {
			continue
		}
		if pr := sl/WL + sr/(W-WL); pr > bs.proxy {
			bs.set(f, midpoint(it.v, items[p+1].v), pr, cum)
		}
	}
	return false
}

// setBin records a split of feature f between bins prev and next (the
// node's next non-empty bin), with left the class weights going left.
func (bs *split) setBin(td *trainData, f, prev, next int, proxy float64, left []float64) {
	bs.proxy = proxy
	bs.found = true
	bs.feat = f
	bs.byBin = true
	bs.bin = uint8(prev)
	bs.thr = midpoint(td.binHi[f][prev], td.binLo[f][next])
	copy(bs.leftW, left)
}

// set records an exact split on feature f at threshold thr.
func (bs *split) set(f int, thr, proxy float64, left []float64) {
	bs.proxy = proxy
	bs.found = true
	bs.feat = f
	bs.byBin = false
	bs.thr = thr
	copy(bs.leftW, left)
}

// sortItems sorts by value: insertion sort for short runs, quicksort with
// a median-of-three pivot otherwise. It is not stable, but it is
// deterministic, which is all the model's reproducibility needs.
func sortItems(a []sortItem) {
	for len(a) > 12 {
		m := len(a) / 2
		l := len(a) - 1
		if a[m].v < a[0].v {
			a[m], a[0] = a[0], a[m]
		}
		if a[l].v < a[0].v {
			a[l], a[0] = a[0], a[l]
		}
		if a[l].v < a[m].v {
			a[l], a[m] = a[m], a[l]
		}
		pivot := a[m].v
		i, j := 0, l
		for i <= j {
			for a[i].v < pivot {
				i++
			}
			for a[j].v > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		// Recurse into the smaller side to bound the stack depth.
		if j+1 < len(a)-i {
			sortItems(a[:j+1])
			a = a[i:]
		} else {
			sortItems(a[i:])
			a = a[:j+1]
		}
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].v < a[j-1].v; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
