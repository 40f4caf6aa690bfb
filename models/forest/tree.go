package forest

import (
	"math"
	"math/bits"
)

// node is one node of a fitted tree, laid out in preorder so that one
// child of an internal node (the near one) is the next node and only the
// other's (the far one's) index is stored: 16 bytes, four nodes to a cache
// line. Rows with x[feature] <= thr go to the left child, which is the near
// one unless feat carries flipBit. A leaf is a node whose far child is
// itself, so no field is spent on telling leaves apart, and its feat field
// holds the index of its class weights instead.
type node struct {
	thr   float64 // split threshold; in a leaf, see tree.finish
	feat  int32   // feature index, maybe with flipBit; in a leaf, its index in tree.value / k
	right int32   // far child's index; a leaf's own index
}

// flipBit in an internal node's feat says its near child is the right one.
const flipBit = -1 << 31

// tree is one fitted CART tree.
type tree struct {
	nodes []node
	// value holds each leaf's weighted class counts, k per leaf, as
	// scikit-learn's tree_.value; a leaf's class probabilities are its
	// counts over their sum.
	value []float64
	// proba holds each leaf's class probabilities, value over its sum,
	// worked out once so prediction only adds.
	proba []float64
	// imp is the tree's normalised feature importances, kept only until
	// Fit has averaged them.
	imp []float64
}

// finish fills t.proba from t.value, for k classes.
func (t *tree) finish(k int) {
	t.proba = make([]float64, len(t.value))
	for j := 0; j+k <= len(t.value); j += k {
		var sum float64
		for _, v := range t.value[j : j+k] {
			sum += v
		}
		if sum <= 0 {
			continue
		}
		for c := 0; c < k; c++ {
			t.proba[j+c] = t.value[j+c] / sum
		}
	}
	// A leaf's threshold is never compared, so it says whether the leaf is
	// pure: the class it holds all weight of, or -1. Prediction then adds
	// 1 to that class without reading the leaf's row of proba, which is
	// exactly what the row holds (v / v = 1, 0 / v = 0).
	for i := range t.nodes {
		n := &t.nodes[i]
		if int(n.right) != i {
			continue
		}
		n.thr = -1
		p := t.proba[int(n.feat)*k : (int(n.feat)+1)*k]
		for c, v := range p {
			if v == 1 {
				n.thr = float64(c)
			}
		}
	}
}

// epsilon is the impurity below which a node counts as pure, as in
// scikit-learn (the float64 machine epsilon).
const epsilon = 2.220446049250313e-16

// sample is one distinct in-bag row in the builder's working order: its
// row index, class and weight (bootstrap count times class weight).
type sample struct {
	i int32
	c int32
	w float64
}

// sortItem is a node's sample as the exact splitter sorts it.
type sortItem struct {
	v float64
	c int32
	p int32 // position in the node's samples, for the weight
}

type stackItem struct {
	start, end int
	depth      int
	parent     int  // -1 for the root
	isFar      bool // the child the parent's right field points to
	// known is where the node's set of features known to be constant
	// starts in builder.constSets (constWords words).
	known int
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

// builder grows trees; each worker owns one and reuses its buffers, so the
// inner loops do not allocate.
type builder struct {
	td   *trainData
	s    settings
	seed int64

	counts    []int32   // bootstrap multiplicity per row
	classW    []float64 // class weight per class for this tree
	samples   []sample
	tmp       []sample
	hist      []float64 // maxBins*k class weights per feature evaluated at once
	histOff   []int     // where each feature's histogram starts in hist
	histFeats []int
	// constSets holds, per node on the stack, a bitset of the features
	// known to be constant in it; foundConst lists those found constant in
	// the node being split.
	constSets  []uint64
	constWords int
	foundConst []int
	// rb holds the bin codes of samples[p] at rb[p*d:], moved along by
	// partition so that a node's rows lie together and histograms read
	// them in sequence rather than jumping about the whole table.
	rb, rbTmp []uint8
	binCount  []int32 // maxBins rows, only when minSamplesLeaf > 1
	items     []sortItem
	feats     []int32
	stack     []stackItem
	total     []float64
	cum       []float64
	best      split
	imp       []float64 // this tree's impurity decrease per feature
	rootW     float64
	nodeTick  int
}

// sortLimit is the node size up to which the exact splitter, which sorts
// the node's values, is always used on features binned by quantiles. On the
// bench data quantile bins lost no accuracy measurable over five seeds, so
// by default only the cost rule in useSort decides.
var sortLimit = 0

func newBuilder(td *trainData, s settings, seed int64) *builder {
	k := td.k
	b := &builder{
		td:         td,
		s:          s,
		seed:       seed,
		counts:     make([]int32, td.n),
		classW:     make([]float64, k),
		samples:    make([]sample, 0, td.n),
		tmp:        make([]sample, td.n),
		rb:         make([]uint8, td.n*td.d),
		rbTmp:      make([]uint8, td.n*td.d),
		hist:       make([]float64, maxBins*k*max(1, s.mtry)),
		histOff:    make([]int, td.d),
		constWords: (td.d + 63) / 64,
		binCount:   make([]int32, maxBins),
		feats:      make([]int32, td.d),
		total:      make([]float64, k),
		cum:        make([]float64, k),
		imp:        make([]float64, td.d),
	}
	b.best.leftW = make([]float64, k)
	b.best.rightW = make([]float64, k)
	return b
}

// grow fits tree number t. inBag, when not nil, receives the rows the tree
// was trained on (for the out-of-bag score). stop is polled now and then so
// that a cancelled fit ends within a tree's time.
func (b *builder) grow(t int, inBag []bool, stop func() bool) (*tree, bool) {
	td, s := b.td, b.s
	r := newTreeRNG(b.seed, t)
	n := td.n
	if s.bootstrap {
		clear(b.counts)
		for j := 0; j < s.nBootstrap; j++ {
			b.counts[r.intn(n)]++
		}
	} else {
		for i := range b.counts {
			b.counts[i] = 1
		}
	}
	b.classWeights()
	b.samples = b.samples[:0]
	for i := 0; i < n; i++ {
		if c := b.counts[i]; c > 0 {
			y := td.y[i]
			b.samples = append(b.samples, sample{i: int32(i), c: y, w: float64(c) * b.classW[y]})
			if inBag != nil {
				inBag[i] = true
			}
		}
	}
	d := td.d
	for p, sm := range b.samples {
		copy(b.rb[p*d:p*d+d], td.bins[int(sm.i)*d:int(sm.i)*d+d])
	}
	for f := range b.feats {
		b.feats[f] = int32(f)
	}
	clear(b.imp)
	tr := &tree{}
	b.constSets = append(b.constSets[:0], make([]uint64, b.constWords)...)
	b.stack = append(b.stack[:0], stackItem{start: 0, end: len(b.samples), parent: -1})
	b.rootW = -1
	for len(b.stack) > 0 {
		it := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		b.nodeTick++
		if b.nodeTick&1023 == 0 && stop() {
			return nil, false
		}
		b.node(tr, it, r)
	}
	return tr, true
}

// classWeights sets b.classW for the current bootstrap counts.
func (b *builder) classWeights() {
	td := b.td
	k := td.k
	for c := range b.classW {
		b.classW[c] = 1
	}
	if b.s.classWeight == "" {
		return
	}
	freq := make([]float64, k)
	var n float64
	for i, y := range td.y {
		w := 1.0
		if b.s.classWeight == "balanced_subsample" {
			w = float64(b.counts[i])
		}
		freq[y] += w
		n += w
	}
	present := 0
	for _, f := range freq {
		if f > 0 {
			present++
		}
	}
	for c, f := range freq {
		if f > 0 {
			b.classW[c] = n / (float64(present) * f)
		}
	}
}

func (b *builder) impurity(w []float64, sum float64) float64 {
	if sum <= 0 {
		return 0
	}
	if b.s.entropy {
		var h float64
		for _, v := range w {
			if v > 0 {
				p := v / sum
				h -= p * math.Log2(p)
			}
		}
		return h
	}
	var sq float64
	for _, v := range w {
		sq += v * v
	}
	return 1 - sq/(sum*sum)
}

// node decides whether the node on top of the stack is a leaf or splits,
// records it in tr, and pushes its children.
func (b *builder) node(tr *tree, it stackItem, r *rng) {
	s := b.s
	id := len(tr.nodes)
	if it.parent >= 0 && it.isFar {
		tr.nodes[it.parent].right = int32(id)
	}
	clear(b.total)
	var W float64
	for _, sm := range b.samples[it.start:it.end] {
		b.total[sm.c] += sm.w
	}
	for _, v := range b.total {
		W += v
	}
	if b.rootW < 0 {
		b.rootW = W
	}
	nNode := it.end - it.start
	imp := b.impurity(b.total, W)
	leaf := (s.maxDepth > 0 && it.depth >= s.maxDepth) ||
		nNode < s.minSamplesSplit || nNode < 2*s.minSamplesLeaf || imp <= epsilon
	var impL, impR, WL, WR float64
	if !leaf {
		b.findSplit(it.start, it.end, W, r, b.constSets[it.known:it.known+b.constWords])
		leaf = !b.best.found
		if !leaf {
			WL = 0
			for _, v := range b.best.leftW {
				WL += v
			}
			right := b.best.rightW
			for c := range right {
				right[c] = b.total[c] - b.best.leftW[c]
			}
			WR = W - WL
			impL = b.impurity(b.best.leftW, WL)
			impR = b.impurity(right, WR)
			if s.minImpurityDec > 0 {
				improvement := W / b.rootW * (imp - WR/W*impR - WL/W*impL)
				if improvement+epsilon < s.minImpurityDec {
					leaf = true
				}
			}
		}
	}
	if leaf {
		tr.nodes = append(tr.nodes, node{thr: -1, feat: int32(len(tr.value) / b.td.k), right: int32(id)})
		tr.value = append(tr.value, b.total...)
		return
	}
	bs := &b.best
	// The heavier child follows its parent, so that prediction, which
	// mostly takes the way most training rows took, mostly steps to the
	// next node: a branch the processor predicts and memory it has already
	// fetched.
	flip := WR > WL
	feat := int32(bs.feat)
	if flip {
		feat |= flipBit
	}
	tr.nodes = append(tr.nodes, node{thr: bs.thr, feat: feat})
	b.imp[bs.feat] += W*imp - WL*impL - WR*impR
	mid := b.partition(it.start, it.end)
	// Children inherit the features constant here; they share one set.
	known := it.known
	if len(b.foundConst) > 0 {
		known = len(b.constSets)
		b.constSets = append(b.constSets, b.constSets[it.known:it.known+b.constWords]...)
		set := b.constSets[known:]
		for _, f := range b.foundConst {
			set[f>>6] |= 1 << (f & 63)
		}
	}
	left := stackItem{start: it.start, end: mid, depth: it.depth + 1, parent: id, known: known}
	right := stackItem{start: mid, end: it.end, depth: it.depth + 1, parent: id, known: known}
	// The child pushed last is grown next and so lands right after id.
	if flip {
		left.isFar = true
		b.stack = append(b.stack, left, right)
	} else {
		right.isFar = true
		b.stack = append(b.stack, right, left)
	}
}

// partition moves the node's samples that go left to the front, keeping
// the order of both sides, moves their rows of bin codes along, and returns
// where the right side starts.
func (b *builder) partition(start, end int) int {
	bs := &b.best
	td := b.td
	d := td.d
	rb, rt := b.rb, b.rbTmp
	w, nt := start, 0
	if bs.byBin {
		f, lim := bs.feat, bs.bin
		for p := start; p < end; p++ {
			row := rb[p*d : p*d+d]
			if row[f] <= lim {
				if w != p {
					b.samples[w] = b.samples[p]
					copy(rb[w*d:w*d+d], row)
				}
				w++
			} else {
				b.tmp[nt] = b.samples[p]
				copy(rt[nt*d:nt*d+d], row)
				nt++
			}
		}
	} else {
		x, stride, f, thr := td.x, td.stride, bs.feat, bs.thr
		for p := start; p < end; p++ {
			row := rb[p*d : p*d+d]
			if x[int(b.samples[p].i)*stride+f] <= thr {
				if w != p {
					b.samples[w] = b.samples[p]
					copy(rb[w*d:w*d+d], row)
				}
				w++
			} else {
				b.tmp[nt] = b.samples[p]
				copy(rt[nt*d:nt*d+d], row)
				nt++
			}
		}
	}
	copy(b.samples[w:end], b.tmp[:nt])
	copy(rb[w*d:end*d], rt[:nt*d])
	return w
}

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
func (b *builder) scanHist(f int, h []float64, start, end int, W float64) bool {
	td := b.td
	k := td.k
	nb := td.nbins[f]
	needCount := b.s.minSamplesLeaf > 1
	if !needCount && !b.s.entropy {
		if k == 2 {
			return b.scanHistGini2(f, h, W)
		}
		return b.scanHistGini(f, h, W)
	}
	var cnt []int32
	if needCount {
		cnt = b.binCount[:nb]
		clear(cnt)
		d := td.d
		for p := start; p < end; p++ {
			cnt[b.rb[p*d+f]]++
		}
	}
	nNode := end - start
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
// classes.
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
// no minimum leaf size, with the class loops and the proxy unrolled.
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
// boundary between distinct values; it reports whether f is constant.
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
