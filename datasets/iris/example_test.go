package iris_test

import (
	"fmt"

	"github.com/grove-ml/grove/datasets/iris"
)

func ExampleLoad() {
	ds := iris.Load()
	fmt.Println(ds.Rows(), "rows,", ds.Features(), "features")
	fmt.Println(ds.FeatureNames[0], "...", ds.FeatureNames[3])
	fmt.Println(ds.ClassNames)
	fmt.Println(ds.X.RawRowView(0), ds.ClassNames[ds.Y[0]])
	// Output:
	// 150 rows, 4 features
	// sepal length (cm) ... petal width (cm)
	// [setosa versicolor virginica]
	// [5.1 3.5 1.4 0.2] setosa
}
