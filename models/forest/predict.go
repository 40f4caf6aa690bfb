package forest

// Prediction: walking every tree for blocks of rows spread over the cores,
// and the out-of-bag score, which walks only the trees that did not see a
// row.

import (
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

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
		return rawMatrix{}, inputErrorf(ErrEmpty, "X is nil")
	}
	rows, cols := X.Dims()
	if cols != f.d {
		return rawMatrix{}, inputErrorf(ErrShape, "X has %d features, the model was fitted on %d", cols, f.d)
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
