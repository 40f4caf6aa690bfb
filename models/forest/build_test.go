package forest

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTreeLimits checks that the parameters that stop growth are obeyed,
// reading the grown trees directly.
func TestTreeLimits(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	depth := func(tr *tree) int {
		d := make([]int, len(tr.nodes))
		deepest := 0
		for i, n := range tr.nodes {
			deepest = max(deepest, d[i])
			if int(n.right) != i {
				d[i+1], d[n.right] = d[i]+1, d[i]+1
			}
		}
		return deepest
	}
	for _, tc := range []struct {
		name  string
		cfg   Config
		check func(*tree) string
	}{
		{"MaxDepth", Config{Trees: 5, MaxDepth: 3}, func(tr *tree) string {
			if d := depth(tr); d > 3 {
				return fmt.Sprintf("depth %d", d)
			}
			return ""
		}},
		{"MinSamplesLeaf", Config{Trees: 5, NoBootstrap: true, MinSamplesLeaf: 7}, func(tr *tree) string {
			// Without bootstrap every row weighs 1, so a leaf's weights
			// sum to its row count.
			for i, n := range tr.nodes {
				if int(n.right) == i {
					var w float64
					for _, v := range tr.value[int(n.feat)*2 : int(n.feat)*2+2] {
						w += v
					}
					if w < 7 {
						return fmt.Sprintf("leaf %d holds %v rows", i, w)
					}
				}
			}
			return ""
		}},
		{"MinSamplesSplit", Config{Trees: 3, MinSamplesSplit: 100000}, func(tr *tree) string {
			if len(tr.nodes) != 1 {
				return fmt.Sprintf("%d nodes, want the root alone", len(tr.nodes))
			}
			return ""
		}},
		{"MinImpurityDecrease", Config{Trees: 3, MinImpurityDecrease: 0.2}, func(tr *tree) string {
			if len(tr.nodes) > 3 {
				return fmt.Sprintf("%d nodes; a decrease of 0.2 allows hardly a split", len(tr.nodes))
			}
			return ""
		}},
		{"FullyGrown", Config{Trees: 3, NoBootstrap: true, MaxFeatures: "all"}, func(tr *tree) string {
			// Every leaf is pure unless its rows are identical, which they
			// are not in this data.
			for i, n := range tr.nodes {
				if int(n.right) == i && n.thr < 0 {
					return fmt.Sprintf("leaf %d is impure", i)
				}
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fitOrFatal(t, tc.cfg, train)
			for j, tr := range f.trees {
				if msg := tc.check(tr); msg != "" {
					t.Fatalf("tree %d: %s", j, msg)
				}
			}
		})
	}
}

// TestConstantFeaturesDrawOn checks scikit-learn's rule that a node keeps
// drawing features past MaxFeatures while every one it saw was constant:
// with one feature per split and four constant features of five, every
// tree must still split on the fifth.
func TestConstantFeaturesDrawOn(t *testing.T) {
	const n = 60
	X := mat.NewDense(n, 5, nil)
	y := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			X.Set(i, j, 3)
		}
		X.Set(i, 4, float64(i))
		if i >= n/2 {
			y[i] = 1
		}
	}
	f := fitOrFatal(t, Config{Trees: 20, MaxFeatures: "1"}, table{X: X, y: y, classes: 2})
	for j, tr := range f.trees {
		if len(tr.nodes) < 3 {
			t.Fatalf("tree %d did not split", j)
		}
	}
	if imp := f.FeatureImportances(); imp[4] != 1 {
		t.Fatalf("importances %v, want all on feature 4", imp)
	}
}
