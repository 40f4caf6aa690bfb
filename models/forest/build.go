package forest

// The builder: growing one tree depth first from a bootstrap sample, with
// buffers a worker reuses from tree to tree. Choosing a node's split is in
// split.go; the fitted tree's layout, in tree.go.

import "math"

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

// stackItem is a node waiting to be grown: its samples, samples[start:end],
// and where it hangs in the tree.
type stackItem struct {
	start, end int
	depth      int
	parent     int  // -1 for the root
	isFar      bool // the child the parent's right field points to
	// known is where the node's set of features known to be constant
	// starts in builder.constSets (constWords words).
	known int
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

// fitted grows tree t as grow does and makes it ready to predict: trimmed
// to its size, with its leaves' probabilities worked out and its
// importances normalised.
func (b *builder) fitted(t int, inBag []bool, stop func() bool) (*tree, bool) {
	tr, ok := b.grow(t, inBag, stop)
	if !ok {
		return nil, false
	}
	// Copy out of the growing slices so each tree keeps no spare capacity.
	tr.nodes = append([]node(nil), tr.nodes...)
	tr.value = append([]float64(nil), tr.value...)
	tr.finish(b.td.k)
	tr.imp = normaliseImportance(b.imp, b.rootW)
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
// The loop is written twice, once testing the bin code and once the
// value, so that the test each sample makes is a plain comparison rather
// than a call or a branch on the kind of split; the two differ only in it.
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
