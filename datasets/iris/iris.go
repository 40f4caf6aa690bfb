package iris

import (
	"bytes"
	_ "embed"

	"github.com/grove-ml/grove/datasets"
)

//go:embed iris.csv
var irisCSV []byte

// Source names where Load's rows come from, for a run's data-source param.
const Source = "iris (bundled)"

// Load returns the Iris table: 150 rows in scikit-learn's order, features
// named as scikit-learn names them ("sepal length (cm)", "sepal width (cm)",
// "petal length (cm)", "petal width (cm)"), target "species" with classes
// setosa (0), versicolor (1) and virginica (2), 50 rows each.
func Load() *datasets.Dataset {
	ds, err := datasets.ReadCSVFrom(bytes.NewReader(irisCSV), datasets.CSVOptions{Name: "iris.csv"})
	if err != nil {
		// The table is compiled in and checked by the tests; reaching this
		// means the build itself is broken.
		panic("iris: bundled table does not read: " + err.Error())
	}
	return ds
}
