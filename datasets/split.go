package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// ErrSplit is wrapped by every error Split returns for sizes or classes that
// cannot be split as asked.
var ErrSplit = errors.New("cannot split")

// SplitReason says which rule a refused split broke.
type SplitReason int

const (
	// SplitBothSizes: TestSize and TestRows were both given.
	SplitBothSizes SplitReason = iota + 1
	// SplitTestRowsRange: TestRows is outside [1, Rows-1].
	SplitTestRowsRange
	// SplitTestSizeRange: TestSize is outside (0, 1), or NaN.
	SplitTestSizeRange
	// SplitNoTrainRows: TestSize is so close to 1 that ceil leaves no
	// training row.
	SplitNoTrainRows
	// SplitSingletonClass: a stratified split met a class with one row,
	// which cannot be on both sides.
	SplitSingletonClass
	// SplitFewTestRows: a stratified split has fewer test rows than classes.
	SplitFewTestRows
	// SplitFewTrainRows: a stratified split has fewer training rows than
	// classes.
	SplitFewTrainRows
)

// SplitError is the error SplitSizes and Split return for a split that cannot
// be made. Its fields carry the numbers behind the message, so a caller can
// say the same thing in its own terms (a command in its flags' names)
// without reading the text. It wraps ErrSplit.
type SplitError struct {
	Reason    SplitReason
	Rows      int     // rows in the data set
	TestSize  float64 // the fraction asked for; 0 when not given
	TestRows  int     // test rows: as asked for, or as counted from TestSize for the stratify reasons
	TrainRows int     // training rows counted from the sizes (SplitFewTrainRows)
	Classes   int     // classes present in the data (SplitFewTestRows, SplitFewTrainRows)
	Class     string  // the class's name (SplitSingletonClass)
}

func (e *SplitError) Error() string {
	return "datasets: " + ErrSplit.Error() + ": " + e.detail()
}

func (e *SplitError) detail() string {
	switch e.Reason {
	case SplitBothSizes:
		return "give the test size as a fraction or as a row count, not both"
	case SplitTestRowsRange:
		return fmt.Sprintf("test rows must be in [1, %d] for %d rows, got %d", e.Rows-1, e.Rows, e.TestRows)
	case SplitTestSizeRange:
		return fmt.Sprintf("test size must be in (0, 1), got %g", e.TestSize)
	case SplitNoTrainRows:
		return fmt.Sprintf("test size %g leaves no training rows for %d rows", e.TestSize, e.Rows)
	case SplitSingletonClass:
		return fmt.Sprintf("class %q has only 1 row; a stratified split needs at least 2 in every class", e.Class)
	case SplitFewTestRows:
		return fmt.Sprintf("a stratified split needs at least one test row per class: %d test rows for %d classes", e.TestRows, e.Classes)
	case SplitFewTrainRows:
		return fmt.Sprintf("a stratified split needs at least one training row per class: %d training rows for %d classes", e.TrainRows, e.Classes)
	}
	return fmt.Sprintf("reason %d", int(e.Reason))
}

func (e *SplitError) Unwrap() error { return ErrSplit }

// SplitOptions says how Split divides the rows. Give the test side either as
// a fraction (TestSize) or as a row count (TestRows), not both.
type SplitOptions struct {
	TestSize  float64 // fraction of rows for the test side, in (0, 1)
	TestRows  int     // number of rows for the test side, in [1, rows-1]
	Seed      uint64  // the shuffle's seed; the same seed gives the same split everywhere
	NoShuffle bool    // keep file order: the first rows train, the last rows test
	Stratify  bool    // keep each class's share of rows on both sides
}

// SplitSizes returns the train and test row counts for n rows, counted as
// scikit-learn's train_test_split counts them: n_test = ceil(test_size * n),
// n_train = n - n_test. A split that leaves a side empty is a *SplitError
// (wrapping ErrSplit) that says so.
func SplitSizes(n int, opt SplitOptions) (train, test int, err error) {
	switch {
	case opt.TestSize != 0 && opt.TestRows != 0:
		return 0, 0, &SplitError{Reason: SplitBothSizes, Rows: n, TestSize: opt.TestSize, TestRows: opt.TestRows}
	case opt.TestRows != 0:
		if opt.TestRows < 1 || opt.TestRows >= n {
			return 0, 0, &SplitError{Reason: SplitTestRowsRange, Rows: n, TestRows: opt.TestRows}
		}
		return n - opt.TestRows, opt.TestRows, nil
	case !(opt.TestSize > 0 && opt.TestSize < 1): // also catches NaN
		return 0, 0, &SplitError{Reason: SplitTestSizeRange, Rows: n, TestSize: opt.TestSize}
	}
	// Exactly scikit-learn's arithmetic, float rounding included, so a row
	// count here always matches the one train_test_split would give.
	test = int(math.Ceil(opt.TestSize * float64(n)))
	train = n - test
	// ceil gives any positive share at least one test row, so only the
	// training side can come out empty.
	if train < 1 {
		return 0, 0, &SplitError{Reason: SplitNoTrainRows, Rows: n, TestSize: opt.TestSize}
	}
	return train, test, nil
}

// Split divides ds into a training and a test Dataset. Rows are shuffled with
// a PCG generator seeded from opt.Seed unless opt.NoShuffle; the shuffle is
// grove's own, so a seed gives the same split on every platform and Go
// release. With Stratify, each class's rows are divided in proportion, the
// counts rounded as scikit-learn's StratifiedShuffleSplit rounds them (largest
// remainders first), so both sides keep the class shares as closely as whole
// rows allow.
func Split(ds *Dataset, opt SplitOptions) (train, test *Dataset, err error) {
	n := ds.Rows()
	nTrain, nTest, err := SplitSizes(n, opt)
	if err != nil {
		return nil, nil, err
	}
	var trainRows, testRows []int
	switch {
	case opt.Stratify:
		trainRows, testRows, err = stratified(ds, nTrain, nTest, opt)
		if err != nil {
			return nil, nil, err
		}
	case opt.NoShuffle:
		trainRows, testRows = seq(0, nTrain), seq(nTrain, n)
	default:
		perm := newShuffler(opt.Seed).perm(n)
		// scikit-learn's ShuffleSplit takes the test rows first.
		testRows, trainRows = perm[:nTest], perm[nTest:]
	}
	return ds.Subset(trainRows), ds.Subset(testRows), nil
}

func seq(from, to int) []int {
	s := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func stratified(ds *Dataset, nTrain, nTest int, opt SplitOptions) (train, test []int, err error) {
	k := ds.Classes()
	byClass := make([][]int, k)
	for i, y := range ds.Y {
		byClass[y] = append(byClass[y], i)
	}
	present := 0
	for c, rows := range byClass {
		switch len(rows) {
		case 0:
			continue
		case 1:
			return nil, nil, &SplitError{Reason: SplitSingletonClass, Rows: ds.Rows(), TestSize: opt.TestSize, TestRows: nTest, TrainRows: nTrain, Class: ds.ClassNames[c]}
		}
		present++
	}
	if nTest < present {
		return nil, nil, &SplitError{Reason: SplitFewTestRows, Rows: ds.Rows(), TestSize: opt.TestSize, TestRows: nTest, TrainRows: nTrain, Classes: present}
	}
	if nTrain < present {
		return nil, nil, &SplitError{Reason: SplitFewTrainRows, Rows: ds.Rows(), TestSize: opt.TestSize, TestRows: nTest, TrainRows: nTrain, Classes: present}
	}
	counts := make([]int, k)
	for c := range byClass {
		counts[c] = len(byClass[c])
	}
	testCounts := apportion(counts, nTest)
	sh := newShuffler(opt.Seed)
	for c, rows := range byClass {
		if !opt.NoShuffle {
			sh.shuffle(rows)
		}
		cut := len(rows) - testCounts[c]
		train = append(train, rows[:cut]...)
		test = append(test, rows[cut:]...)
	}
	if opt.NoShuffle {
		slices.Sort(train)
		slices.Sort(test)
	} else {
		// Mix the classes so neither side comes sorted by class.
		sh.shuffle(train)
		sh.shuffle(test)
	}
	return train, test, nil
}

// apportion divides total among groups in proportion to counts, rounding by
// largest remainder (ties to the larger group, then the lower class code) so
// the parts sum to total exactly.
func apportion(counts []int, total int) []int {
	n := 0
	for _, c := range counts {
		n += c
	}
	out := make([]int, len(counts))
	rem := make([]float64, len(counts))
	given := 0
	for i, c := range counts {
		exact := float64(c) * float64(total) / float64(n)
		out[i] = int(math.Floor(exact))
		rem[i] = exact - float64(out[i])
		given += out[i]
	}
	order := seq(0, len(counts))
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return counts[b] - counts[a]
	})
	for i := 0; given < total; i++ {
		g := order[i%len(order)]
		if out[g] < counts[g] {
			out[g]++
			given++
		}
	}
	return out
}

// shuffler is a Fisher-Yates shuffle over PCG with grove's own bounded draw,
// so the order depends only on the seed, never on how a Go release happens to
// implement rand.Perm or IntN.
type shuffler struct{ src *rand.PCG }

func newShuffler(seed uint64) *shuffler {
	return &shuffler{src: rand.NewPCG(seed, 0x9e3779b97f4a7c15)}
}

// below returns a uniform integer in [0, n) by Lemire's multiply-and-reject.
func (s *shuffler) below(n uint64) uint64 {
	for {
		hi, lo := bits.Mul64(s.src.Uint64(), n)
		if lo >= n || lo >= (-n)%n {
			return hi
		}
	}
}

func (s *shuffler) shuffle(x []int) {
	for i := len(x) - 1; i > 0; i-- {
		j := s.below(uint64(i + 1))
		x[i], x[j] = x[j], x[i]
	}
}

func (s *shuffler) perm(n int) []int {
	p := seq(0, n)
	s.shuffle(p)
	return p
}
