package datasets_test

import (
	"fmt"
	"testing"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
)

// testdata/plants.csv, which the examples read, is six flowers of the
// bundled Iris table (itself checked against ../shared/bench by the iris
// tests) with their petal columns: each row must be one of Iris's.
func TestPlantsAreIrisRows(t *testing.T) {
	plants, err := datasets.ReadCSV("testdata/plants.csv", datasets.CSVOptions{Target: "species"})
	if err != nil {
		t.Fatal(err)
	}
	ir := iris.Load()
	have := map[string]bool{}
	for i := 0; i < ir.Rows(); i++ {
		have[fmt.Sprint(ir.X.At(i, 2), ir.X.At(i, 3), ir.ClassNames[ir.Y[i]])] = true
	}
	for i := 0; i < plants.Rows(); i++ {
		row := fmt.Sprint(plants.X.At(i, 0), plants.X.At(i, 1), plants.ClassNames[plants.Y[i]])
		if !have[row] {
			t.Errorf("plants.csv row %d (%s) is not an Iris flower", i+1, row)
		}
	}
}
