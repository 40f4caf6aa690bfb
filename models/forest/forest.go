package forest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/grove-ml/grove/models"
)

// Forest is a random forest classifier. Make one with New, train it with
// Fit, then predict; or read a saved one with Load. A fitted Forest may be
// used for prediction from several goroutines at once; Fit must not run
// concurrently with anything else on the same Forest.
type Forest struct {
	cfg         Config
	k, d        int
	trees       []*tree
	importances []float64
	oob         float64
	hasOOB      bool
}

var (
	_ models.Classifier = (*Forest)(nil)
	_ models.Named      = (*Forest)(nil)
	_ models.Saver      = (*Forest)(nil)
)

// ErrNotFitted is returned by prediction methods of a Forest that was
// neither fitted nor loaded.
var ErrNotFitted = errors.New("forest: model is not fitted")

// New returns an unfitted forest with the given configuration. The
// configuration is checked by Fit (and by Validate, for an early answer).
func New(cfg Config) *Forest {
	return &Forest{cfg: cfg}
}

// Config returns the configuration the forest was made or loaded with.
func (f *Forest) Config() Config { return f.cfg }

// EstimatorName returns scikit-learn's name for the same estimator.
func (f *Forest) EstimatorName() string { return "RandomForestClassifier" }

// Params reports the hyper-parameters under scikit-learn's names; see
// Config.Params.
func (f *Forest) Params() map[string]string { return f.cfg.Params() }

// Classes returns the number of classes the model was fitted for, or 0
// before Fit.
func (f *Forest) Classes() int { return f.k }

// Features returns the number of features the model was fitted on, or 0
// before Fit.
func (f *Forest) Features() int { return f.d }

// Trees returns the number of fitted trees.
func (f *Forest) Trees() int { return len(f.trees) }

// Nodes returns the total number of nodes over all trees.
func (f *Forest) Nodes() int {
	n := 0
	for _, t := range f.trees {
		n += len(t.nodes)
	}
	return n
}

// FeatureImportances returns each feature's mean decrease in impurity,
// averaged over the trees and normalised to sum to 1 (scikit-learn's
// feature_importances_). It is nil before Fit, and all zeros when no tree
// could split.
func (f *Forest) FeatureImportances() []float64 {
	if f.importances == nil {
		return nil
	}
	return append([]float64(nil), f.importances...)
}

// OOBScore returns the out-of-bag accuracy and true when Fit computed it
// (Config.OOBScore).
func (f *Forest) OOBScore() (float64, bool) { return f.oob, f.hasOOB }

// Fit trains the forest on the rows of X with labels y in 0..classes-1. It
// replaces any earlier fit only when it succeeds. It returns ctx.Err() soon
// after ctx is done.
func (f *Forest) Fit(ctx context.Context, X mat.Matrix, y []int, classes int) error {
	if X == nil {
		return errors.New("forest: X is nil")
	}
	rows, cols := X.Dims()
	if rows == 0 || cols == 0 {
		return fmt.Errorf("forest: X is empty (%d rows, %d features)", rows, cols)
	}
	if len(y) != rows {
		return fmt.Errorf("forest: y has %d labels for %d rows of X", len(y), rows)
	}
	if rows > math.MaxInt32 {
		// Row indices are held in 32 bits to halve the builder's memory.
		return fmt.Errorf("forest: X has %d rows, more than the %d a forest can train on", rows, math.MaxInt32)
	}
	if classes < 2 {
		return fmt.Errorf("forest: classes must be at least 2, got %d", classes)
	}
	s, err := f.cfg.resolve(rows, cols)
	if err != nil {
		return err
	}
	raw, err := rawRows(X)
	if err != nil {
		return err
	}
	td := &trainData{n: rows, d: cols, x: raw.Data, stride: raw.Stride, k: classes, y: make([]int32, rows)}
	seen := make([]bool, classes)
	distinct := 0
	for i, c := range y {
		if c < 0 || c >= classes {
			return fmt.Errorf("forest: label %d of row %d is outside [0, %d)", c, i, classes)
		}
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		td.y[i] = int32(c)
	}
	if distinct < 2 {
		return fmt.Errorf("forest: y holds only one class (%d); a classifier needs at least two", y[0])
	}
	workers := f.cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, s.trees)
	td.binFeatures(workers)

	trees := make([]*tree, s.trees)
	var inBag [][]bool
	if s.oob {
		inBag = make([][]bool, s.trees)
	}
	var (
		next     atomic.Int64
		stopped  atomic.Bool
		mu       sync.Mutex
		done     int
		wg       sync.WaitGroup
		progress = f.cfg.Progress
	)
	stop := func() bool {
		if stopped.Load() {
			return true
		}
		if ctx.Err() != nil {
			stopped.Store(true)
			return true
		}
		return false
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(td, s, f.cfg.Seed)
			for {
				t := int(next.Add(1) - 1)
				if t >= s.trees || stop() {
					return
				}
				var bag []bool
				if inBag != nil {
					bag = make([]bool, rows)
					inBag[t] = bag
				}
				tr, ok := b.grow(t, bag, stop)
				if !ok {
					return
				}
				// Copy out of the growing slices so each tree keeps no
				// spare capacity.
				tr.nodes = append([]node(nil), tr.nodes...)
				tr.value = append([]float64(nil), tr.value...)
				tr.finish(classes)
				tr.imp = normaliseImportance(b.imp, b.rootW)
				trees[t] = tr
				if progress != nil {
					mu.Lock()
					done++
					progress(done, s.trees)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	importances := make([]float64, cols)
	used := 0
	for _, t := range trees {
		if len(t.nodes) > 1 {
			used++
			for j, v := range t.imp {
				importances[j] += v
			}
		}
		t.imp = nil
	}
	normaliseSum(importances)
	nf := &Forest{cfg: f.cfg, k: classes, d: cols, trees: trees, importances: importances}
	if s.oob {
		nf.oob = nf.oobScore(raw, td.y, inBag, workers)
		nf.hasOOB = true
	}
	*f = *nf
	return nil
}

// normaliseImportance turns a tree's summed weighted impurity decreases
// into importances that sum to 1, as scikit-learn's tree does.
func normaliseImportance(imp []float64, rootW float64) []float64 {
	out := make([]float64, len(imp))
	if rootW <= 0 {
		return out
	}
	for j, v := range imp {
		out[j] = v / rootW
	}
	normaliseSum(out)
	return out
}

func normaliseSum(v []float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for j := range v {
			v[j] /= s
		}
	}
}

// rawRows returns X's values as a row-major block, without copying when X
// is a *mat.Dense, and checks they are all finite.
func rawRows(X mat.Matrix) (rawMatrix, error) {
	d, ok := X.(*mat.Dense)
	if !ok {
		d = mat.DenseCopyOf(X)
	}
	rm := d.RawMatrix()
	r := rawMatrix{Rows: rm.Rows, Cols: rm.Cols, Stride: rm.Stride, Data: rm.Data}
	for i := 0; i < r.Rows; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+r.Cols]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return r, fmt.Errorf("forest: X[%d, %d] is %v; features must be finite", i, j, v)
			}
		}
	}
	return r, nil
}

type rawMatrix struct {
	Rows, Cols, Stride int
	Data               []float64
}

// PredictProba returns the class probabilities of every row of X: the mean
// over the trees of the class frequencies in the leaf the row reaches.
func (f *Forest) PredictProba(X mat.Matrix) (*mat.Dense, error) {
	raw, err := f.checkInput(X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, raw.Rows*f.k)
	f.probaInto(raw, out, runtime.GOMAXPROCS(0))
	return mat.NewDense(raw.Rows, f.k, out), nil
}

// Predict returns the most probable class of every row of X, the lowest
// class on a tie.
func (f *Forest) Predict(X mat.Matrix) ([]int, error) {
	raw, err := f.checkInput(X)
	if err != nil {
		return nil, err
	}
	out := make([]float64, raw.Rows*f.k)
	f.probaInto(raw, out, runtime.GOMAXPROCS(0))
	pred := make([]int, raw.Rows)
	for i := range pred {
		pred[i] = argmax(out[i*f.k : (i+1)*f.k])
	}
	return pred, nil
}

func argmax(p []float64) int {
	best := 0
	for c := 1; c < len(p); c++ {
		if p[c] > p[best] {
			best = c
		}
	}
	return best
}

func (f *Forest) checkInput(X mat.Matrix) (rawMatrix, error) {
	if len(f.trees) == 0 {
		return rawMatrix{}, ErrNotFitted
	}
	if X == nil {
		return rawMatrix{}, errors.New("forest: X is nil")
	}
	rows, cols := X.Dims()
	if cols != f.d {
		return rawMatrix{}, fmt.Errorf("forest: X has %d features, the model was fitted on %d", cols, f.d)
	}
	if rows == 0 {
		return rawMatrix{}, nil
	}
	return rawRows(X)
}

// probaInto writes the mean leaf frequencies of every row into out (rows x
// k). Rows are cut into blocks spread over workers; within a block each
// tree is walked for every row before the next tree, so a tree stays in
// cache, and each row sums its trees in tree order, so the result does not
// depend on the number of workers.
func (f *Forest) probaInto(raw rawMatrix, out []float64, workers int) {
	// A tree is walked by a whole block of rows before the next tree, so the
	// larger the block, the fewer times each tree is brought into cache; but
	// blocks of at most 8192 rows (measured as fast as larger ones) let a
	// worker whose core is busy with other work hand rows to the others.
	block := max(64, min(8192, (raw.Rows+workers-1)/workers))
	nBlocks := (raw.Rows + block - 1) / block
	workers = max(1, min(workers, nBlocks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				bi := int(next.Add(1) - 1)
				if bi >= nBlocks {
					return
				}
				lo := bi * block
				hi := min(raw.Rows, lo+block)
				f.probaBlock(raw, lo, hi, out)
			}
		}()
	}
	wg.Wait()
}

func (f *Forest) probaBlock(raw rawMatrix, lo, hi int, out []float64) {
	k := f.k
	for _, t := range f.trees {
		for i := lo; i < hi; i++ {
			r := i * raw.Stride
			n := leafNode(t.nodes, raw.Data[r:r+raw.Cols])
			acc := out[i*k : (i+1)*k]
			if n.thr >= 0 {
				acc[int(n.thr)]++
				continue
			}
			leaf := int(n.feat)
			addLeaf(acc, t.proba[leaf*k:(leaf+1)*k])
		}
	}
	inv := 1 / float64(len(f.trees))
	for j := lo * k; j < hi*k; j++ {
		out[j] *= inv
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

// oobScore is the accuracy of predicting each training row from the trees
// that did not see it. As in scikit-learn, a row that every tree saw gets
// all-zero probabilities and so counts as class 0.
func (f *Forest) oobScore(raw rawMatrix, y []int32, inBag [][]bool, workers int) float64 {
	k := f.k
	var correct atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	const block = 2048
	nBlocks := (raw.Rows + block - 1) / block
	for w := 0; w < max(1, min(workers, nBlocks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acc := make([]float64, k)
			for {
				bi := int(next.Add(1) - 1)
				if bi >= nBlocks {
					return
				}
				n := 0
				for i := bi * block; i < min(raw.Rows, (bi+1)*block); i++ {
					clear(acc)
					row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
					for t, tr := range f.trees {
						if inBag[t][i] {
							continue
						}
						leaf := int(leafNode(tr.nodes, row).feat)
						addLeaf(acc, tr.proba[leaf*k:(leaf+1)*k])
					}
					if argmax(acc) == int(y[i]) {
						n++
					}
				}
				correct.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	return float64(correct.Load()) / float64(raw.Rows)
}
