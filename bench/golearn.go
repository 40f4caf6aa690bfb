package main

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"strconv"
	"time"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/ensemble"

	"github.com/grove-ml/grove/datasets"
)

// runGolearn fits golearn's random forest. golearn draws its feature subset
// once per tree (not per split) and grows ID3 trees, so with sqrt features it
// is far less accurate than CART forests; "all" is the fairer baseline.
func runGolearn(tr, te *datasets.Dataset, label string, trees, seed int, features string) (result, error) {
	k := tr.Features()
	switch features {
	case "all":
	case "sqrt":
		k = max(1, int(math.Sqrt(float64(k))))
	default:
		return result{}, fmt.Errorf("-features must be all or sqrt, got %q", features)
	}
	trainGrid := toGrid(tr, nil)
	testGrid := toGrid(te, trainGrid)
	runtime.GC()
	r := result{Tool: "golearn", Version: "v0.0.0-20221228163002-74ae077eafb2 features=" + features, Dataset: label,
		Threads: runtime.GOMAXPROCS(0), Trees: trees, Seed: seed, NTrain: tr.Rows(), NTest: te.Rows(),
		D: tr.Features(), Classes: tr.Classes(), RSSBefore: statusMiB("VmRSS")}
	// golearn draws from math/rand's global source.
	rand.Seed(int64(seed))
	rf := ensemble.NewRandomForest(trees, k)
	start := time.Now()
	if err := rf.Fit(trainGrid); err != nil {
		return r, err
	}
	r.FitS = time.Since(start).Seconds()
	start = time.Now()
	pred, err := rf.Predict(testGrid)
	if err != nil {
		return r, err
	}
	r.PredictS = time.Since(start).Seconds()
	ok := 0
	for i, y := range te.Y {
		if base.GetClass(pred, i) == strconv.Itoa(y) {
			ok++
		}
	}
	r.Accuracy = float64(ok) / float64(len(te.Y))
	r.PeakRSS = statusMiB("VmHWM")
	return r, nil
}

// toGrid copies a grove Dataset into golearn's DenseInstances: float
// attributes for the features, a categorical class attribute holding the
// class code. A test grid reuses the training grid's attributes, as golearn
// requires.
func toGrid(ds *datasets.Dataset, like *base.DenseInstances) *base.DenseInstances {
	inst := base.NewDenseInstances()
	attrs := make([]base.Attribute, ds.Features())
	var class base.Attribute
	if like == nil {
		for j, name := range ds.FeatureNames {
			attrs[j] = base.NewFloatAttribute(name)
		}
		c := base.NewCategoricalAttribute()
		c.SetName("target")
		for code := range ds.ClassNames {
			c.GetSysValFromString(strconv.Itoa(code))
		}
		class = c
	} else {
		all := like.AllAttributes()
		copy(attrs, all[:ds.Features()])
		class = all[ds.Features()]
	}
	specs := make([]base.AttributeSpec, len(attrs))
	for j, a := range attrs {
		specs[j] = inst.AddAttribute(a)
	}
	classSpec := inst.AddAttribute(class)
	if err := inst.AddClassAttribute(class); err != nil {
		panic(err)
	}
	if err := inst.Extend(ds.Rows()); err != nil {
		panic(err)
	}
	for i := 0; i < ds.Rows(); i++ {
		for j := range attrs {
			inst.Set(specs[j], i, base.PackFloatToBytes(ds.X.At(i, j)))
		}
		inst.Set(classSpec, i, class.GetSysValFromString(strconv.Itoa(ds.Y[i])))
	}
	return inst
}
