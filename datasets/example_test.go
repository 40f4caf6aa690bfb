package datasets_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/datasets/iris"
)

func ExampleReadCSV() {
	ds, err := datasets.ReadCSV("testdata/plants.csv", datasets.CSVOptions{Target: "species"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Rows(), "rows,", ds.Features(), "features, target", ds.TargetName)
	fmt.Println(ds.ClassNames, ds.Y)
	fmt.Println("digest", ds.Digest())
	// Output:
	// 6 rows, 2 features, target species
	// [setosa versicolor virginica] [0 1 2 0 1 2]
	// digest c60b0d3a
}

func ExampleReadCSVFrom() {
	const data = `petal length,petal width,species
1.4,0.2,setosa
4.7,1.4,versicolor
6.0,2.5,virginica
1.3,0.2,setosa
`
	ds, err := datasets.ReadCSVFrom(strings.NewReader(data), datasets.CSVOptions{Target: "species"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Rows(), "rows of", ds.FeatureNames)
	fmt.Println("classes:", ds.ClassNames, "labels:", ds.Y)
	// Output:
	// 4 rows of [petal length petal width]
	// classes: [setosa versicolor virginica] labels: [0 1 2 0]
}

func ExampleReadCSVFrom_error() {
	const data = "a,b,class\n1,2,x\n3,NA,y\n"
	_, err := datasets.ReadCSVFrom(strings.NewReader(data), datasets.CSVOptions{Name: "plants.csv"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, datasets.ErrMissingValue))
	// Output:
	// datasets: plants.csv line 3 column 2 (b): "NA": missing value
	// true
}

func ExampleSplit() {
	ds := iris.Load()
	train, test, err := datasets.Split(ds, datasets.SplitOptions{TestSize: 0.2, Seed: 42, Stratify: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	count := func(d *datasets.Dataset) []int {
		c := make([]int, d.Classes())
		for _, y := range d.Y {
			c[y]++
		}
		return c
	}
	fmt.Println("train", train.Rows(), count(train))
	fmt.Println("test", test.Rows(), count(test))
	// Output:
	// train 120 [40 40 40]
	// test 30 [10 10 10]
}

func ExampleSplitSizes() {
	for _, size := range []float64{0.3, 0.05, 0.01, 0.999} {
		train, test, err := datasets.SplitSizes(150, datasets.SplitOptions{TestSize: size})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(size, "->", train, "train,", test, "test")
	}
	// Output:
	// 0.3 -> 105 train, 45 test
	// 0.05 -> 142 train, 8 test
	// 0.01 -> 148 train, 2 test
	// datasets: cannot split: test size 0.999 leaves no training rows for 150 rows
}

func ExampleMakeClassification() {
	ds, err := datasets.MakeClassification(datasets.SynthConfig{Samples: 1000, Features: 10, Informative: 3, Classes: 3, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Rows(), ds.Features(), ds.ClassNames)
	// Output: 1000 10 [0 1 2]
}

func ExampleDataset_Subset() {
	ds := iris.Load()
	firsts := ds.Subset([]int{0, 50, 100}) // the first flower of each species
	for i, y := range firsts.Y {
		fmt.Println(firsts.ClassNames[y], firsts.X.RawRowView(i))
	}
	// Output:
	// setosa [5.1 3.5 1.4 0.2]
	// versicolor [7 3.2 4.7 1.4]
	// virginica [6.3 3.3 6 2.5]
}

func ExampleDataset_WriteCSV() {
	ds := iris.Load().Subset([]int{0, 149})
	if err := ds.WriteCSV(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species
	// 5.1,3.5,1.4,0.2,setosa
	// 5.9,3,5.1,1.8,virginica
}
