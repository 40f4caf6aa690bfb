package forest

// Training: Fit checks its input, grows the trees on workers, then
// assembles the forest from them.

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Fit trains the forest on the rows of X with labels y in 0..classes-1. It
// replaces any earlier fit only when it succeeds. It returns ctx.Err() soon
// after ctx is done.
func (f *Forest) Fit(ctx context.Context, X mat.Matrix, y []int, classes int) error {
	td, s, err := f.trainingSet(X, y, classes)
	if err != nil {
		return err
	}
	workers := f.cfg.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, s.trees)
	td.binFeatures(workers)
	trees, inBag, err := f.growTrees(ctx, td, s, workers)
	if err != nil {
		return err
	}
	*f = *f.assemble(trees, td, inBag, workers)
	return nil
}

// trainingSet checks Fit's input and the configuration against it, and
// returns the training data as the builders read it, before binning, with
// the resolved settings.
func (f *Forest) trainingSet(X mat.Matrix, y []int, classes int) (*trainData, settings, error) {
	if err := checkShape(X, y, classes); err != nil {
		return nil, settings{}, err
	}
	rows, cols := X.Dims()
	s, err := f.cfg.resolve(rows, cols)
	if err != nil {
		return nil, s, err
	}
	raw, err := rawRows(X)
	if err != nil {
		return nil, s, err
	}
	labels, err := labelCodes(y, classes)
	if err != nil {
		return nil, s, err
	}
	return &trainData{n: rows, d: cols, x: raw.Data, stride: raw.Stride, k: classes, y: labels}, s, nil
}

// checkShape checks that X has rows and features, one label per row, and
// at least two classes.
func checkShape(X mat.Matrix, y []int, classes int) error {
	if X == nil {
		return inputErrorf(ErrEmpty, "X is nil")
	}
	rows, cols := X.Dims()
	if rows == 0 || cols == 0 {
		return inputErrorf(ErrEmpty, "X is empty (%d rows, %d features)", rows, cols)
	}
	if rows > math.MaxInt32 {
		// Row indices are held in 32 bits to halve the builder's memory.
		return inputErrorf(ErrTooLarge, "X has %d rows, more than the %d a forest can train on", rows, math.MaxInt32)
	}
	if len(y) != rows {
		return inputErrorf(ErrShape, "y has %d labels for %d rows of X", len(y), rows)
	}
	if classes < 2 {
		return inputErrorf(ErrBadLabels, "classes must be at least 2, got %d", classes)
	}
	return nil
}

// labelCodes checks that every label is a class in [0, classes) and that
// y holds at least two of them, and returns the labels in 32 bits.
func labelCodes(y []int, classes int) ([]int32, error) {
	codes := make([]int32, len(y))
	seen := make([]bool, classes)
	distinct := 0
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, inputErrorf(ErrBadLabels, "label %d of row %d is outside [0, %d)", c, i, classes)
		}
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		codes[i] = int32(c)
	}
	if distinct < 2 {
		return nil, inputErrorf(ErrBadLabels, "y holds only one class (%d); a classifier needs at least two", y[0])
	}
	return codes, nil
}

// growTrees grows s.trees trees on workers goroutines, each taking the next
// tree number until none is left, and stores tree t at index t whoever grew
// it. When s.oob is set it also returns, per tree, the rows it was trained
// on. It returns ctx.Err() once ctx is done, after every worker has
// stopped.
func (f *Forest) growTrees(ctx context.Context, td *trainData, s settings, workers int) ([]*tree, [][]bool, error) {
	trees := make([]*tree, s.trees)
	var inBag [][]bool
	if s.oob {
		inBag = make([][]bool, s.trees)
	}
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		wg       sync.WaitGroup
		progress = f.cfg.Progress
		stop     = stopper(ctx)
	)
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
					bag = make([]bool, td.n)
					inBag[t] = bag
				}
				tr, ok := b.fitted(t, bag, stop)
				if !ok {
					return
				}
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
		return nil, nil, err
	}
	return trees, inBag, nil
}

// stopper returns the function the workers poll to learn that ctx is
// done; once one of them has seen it, the others learn it without asking
// ctx again.
func stopper(ctx context.Context) func() bool {
	var stopped atomic.Bool
	return func() bool {
		if stopped.Load() {
			return true
		}
		if ctx.Err() != nil {
			stopped.Store(true)
			return true
		}
		return false
	}
}

// assemble makes the fitted forest from its grown trees: the feature
// importances averaged over the trees that split, in tree order, and the
// out-of-bag score when inBag is set.
func (f *Forest) assemble(trees []*tree, td *trainData, inBag [][]bool, workers int) *Forest {
	importances := make([]float64, td.d)
	for _, t := range trees {
		if len(t.nodes) > 1 {
			for j, v := range t.imp {
				importances[j] += v
			}
		}
		t.imp = nil
	}
	normaliseSum(importances)
	nf := &Forest{cfg: f.cfg, k: td.k, d: td.d, trees: trees, importances: importances}
	if inBag != nil {
		raw := rawMatrix{Rows: td.n, Cols: td.d, Stride: td.stride, Data: td.x}
		nf.oob = nf.oobScore(raw, td.y, inBag, workers)
		nf.hasOOB = true
	}
	return nf
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
