package forest

// A fitted tree: its nodes' layout in memory and the walk that takes a row
// to its leaf. The builder that grows it is in build.go.

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

// leafNode returns the leaf that row reaches.
func leafNode(nodes []node, row []float64) *node {
	i := 0
	for {
		n := &nodes[i]
		if int(n.right) == i {
			return n
		}
		f := n.feat
		if (row[f&^flipBit] <= n.thr) != (f < 0) {
			i++
		} else {
			i = int(n.right)
		}
	}
}

// addLeaf adds a leaf's class probabilities to acc.
func addLeaf(acc, proba []float64) {
	for c, v := range proba {
		acc[c] += v
	}
}
