package iris

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/internal/sharedtest"
)

func TestLoad(t *testing.T) {
	ds := Load()
	if ds.Rows() != 150 || ds.Features() != 4 {
		t.Fatalf("%d x %d, want 150 x 4", ds.Rows(), ds.Features())
	}
	wantNames := []string{"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"}
	if !slices.Equal(ds.FeatureNames, wantNames) {
		t.Errorf("features %q", ds.FeatureNames)
	}
	if !slices.Equal(ds.ClassNames, []string{"setosa", "versicolor", "virginica"}) {
		t.Errorf("classes %q", ds.ClassNames)
	}
	// scikit-learn's order: 50 of each species in turn.
	for i, y := range ds.Y {
		if y != i/50 {
			t.Fatalf("row %d has class %d, want %d", i, y, i/50)
		}
	}
	// Well-known facts of the table.
	if got := ds.X.RawRowView(0); !slices.Equal(got, []float64{5.1, 3.5, 1.4, 0.2}) {
		t.Errorf("first row %v", got)
	}
	sum := 0.0
	for i := 0; i < 150; i++ {
		sum += ds.X.At(i, 2)
	}
	if got := sum / 150; got < 3.7579 || got > 3.7581 { // mean petal length 3.758 cm
		t.Errorf("mean petal length %.4f", got)
	}
	// A fresh copy each time.
	ds.X.Set(0, 0, 99)
	if Load().X.At(0, 0) != 5.1 {
		t.Error("Load shares its matrix between calls")
	}
}

// TestMatchesBenchSplit proves the bundled rows are exactly the union of the
// shared benchmark split that scikit-learn made, so grove and the others see
// the same flowers.
func TestMatchesBenchSplit(t *testing.T) {
	bench := filepath.Dir(sharedtest.Path(t, "bench/iris_train.csv"))
	var union []string
	for _, name := range []string{"iris_train.csv", "iris_test.csv"} {
		ds, err := datasets.ReadCSV(filepath.Join(bench, name), datasets.CSVOptions{Target: "target"})
		if err != nil {
			t.Fatal(err)
		}
		union = append(union, rowKeys(ds)...)
	}
	got := rowKeys(Load())
	slices.Sort(union)
	slices.Sort(got)
	if !slices.Equal(got, union) {
		t.Errorf("bundled rows differ from the union of the bench split (%d vs %d rows)", len(got), len(union))
	}
}

// rowKeys spells each row as its four numbers and its class code; the bench
// files code classes as 0, 1, 2 in the same order as the species names.
func rowKeys(ds *datasets.Dataset) []string {
	keys := make([]string, ds.Rows())
	for i := range keys {
		keys[i] = fmt.Sprint(ds.X.RawRowView(i), ds.Y[i])
	}
	return keys
}
