package datasets

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// SynthConfig describes a synthetic classification problem in the manner of
// Guyon's design, which scikit-learn's make_classification follows. Zero
// fields take make_classification's defaults, except FlipY.
type SynthConfig struct {
	Samples          int     // rows; 0 means 100
	Features         int     // columns; 0 means 20
	Informative      int     // columns that carry the class; 0 means 2
	Redundant        int     // random linear mixes of the informative columns; 0 means 2, -1 none
	Classes          int     // 0 means 2
	ClustersPerClass int     // Gaussian clusters per class; 0 means 2
	ClassSep         float64 // half the hypercube's side; 0 means 1
	FlipY            float64 // share of labels replaced by a random class; 0 flips none
	Seed             uint64
}

// MakeClassification draws a synthetic classification Dataset. Each class
// owns ClustersPerClass Gaussian clusters centred on distinct vertices of a
// hypercube in the informative columns, each cluster given its own random
// covariance; the redundant columns are random linear combinations of the
// informative ones and the remaining columns are standard normal noise.
// Columns come in that order (informative, redundant, noise), named f0, f1,
// ...; rows are shuffled; classes are named "0", "1", .... The numbers do not
// match scikit-learn's for the same seed, only the kind of problem.
func MakeClassification(cfg SynthConfig) (*Dataset, error) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Samples, 100)
	def(&cfg.Features, 20)
	def(&cfg.Informative, 2)
	def(&cfg.Redundant, 2)
	def(&cfg.Classes, 2)
	def(&cfg.ClustersPerClass, 2)
	if cfg.Redundant < 0 {
		cfg.Redundant = 0
	}
	if cfg.ClassSep == 0 {
		cfg.ClassSep = 1
	}
	clusters := cfg.Classes * cfg.ClustersPerClass
	switch {
	case cfg.Samples < 1 || cfg.Features < 1 || cfg.Informative < 1 || cfg.ClustersPerClass < 1:
		return nil, fmt.Errorf("datasets: synthetic data needs positive samples, features, informative features and clusters per class")
	case cfg.Classes < 2:
		return nil, fmt.Errorf("datasets: synthetic data needs at least 2 classes, got %d", cfg.Classes)
	case cfg.Informative+cfg.Redundant > cfg.Features:
		return nil, fmt.Errorf("datasets: %d informative + %d redundant features exceed %d features", cfg.Informative, cfg.Redundant, cfg.Features)
	case cfg.Informative < 63 && clusters > 1<<cfg.Informative:
		return nil, fmt.Errorf("datasets: %d classes x %d clusters need more than %d hypercube vertices (informative features %d)", cfg.Classes, cfg.ClustersPerClass, 1<<cfg.Informative, cfg.Informative)
	case cfg.FlipY < 0 || cfg.FlipY > 1:
		return nil, fmt.Errorf("datasets: flip share must be in [0, 1], got %g", cfg.FlipY)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	inf := cfg.Informative

	// Distinct vertices: bit j of a vertex picks the sign of coordinate j.
	vertices := make([][]bool, 0, clusters)
	seen := map[string]bool{}
	for len(vertices) < clusters {
		v := make([]bool, inf)
		key := make([]byte, inf)
		for j := range v {
			v[j] = rng.Uint64()&1 == 1
			if v[j] {
				key[j] = 1
			}
		}
		if !seen[string(key)] {
			seen[string(key)] = true
			vertices = append(vertices, v)
		}
	}

	n, d := cfg.Samples, cfg.Features
	x := make([]float64, n*d)
	y := make([]int, n)
	row := 0
	z := make([]float64, inf)
	for k := 0; k < clusters; k++ {
		size := n / clusters
		if k < n%clusters {
			size++
		}
		cov := make([]float64, inf*inf) // a random linear map makes each cluster's shape its own
		for i := range cov {
			cov[i] = 2*rng.Float64() - 1
		}
		for s := 0; s < size; s++ {
			for j := range z {
				z[j] = rng.NormFloat64()
			}
			out := x[row*d : row*d+inf]
			for j := 0; j < inf; j++ {
				v := 0.0
				for i := 0; i < inf; i++ {
					v += z[i] * cov[i*inf+j]
				}
				if vertices[k][j] {
					v += cfg.ClassSep
				} else {
					v -= cfg.ClassSep
				}
				out[j] = v
			}
			y[row] = k % cfg.Classes
			row++
		}
	}
	mix := make([]float64, inf*cfg.Redundant)
	for i := range mix {
		mix[i] = 2*rng.Float64() - 1
	}
	for r := 0; r < n; r++ {
		base := x[r*d : r*d+d]
		for j := 0; j < cfg.Redundant; j++ {
			v := 0.0
			for i := 0; i < inf; i++ {
				v += base[i] * mix[i*cfg.Redundant+j]
			}
			base[inf+j] = v
		}
		for j := inf + cfg.Redundant; j < d; j++ {
			base[j] = rng.NormFloat64()
		}
		if cfg.FlipY > 0 && rng.Float64() < cfg.FlipY {
			y[r] = rng.IntN(cfg.Classes)
		}
	}
	ds := &Dataset{
		X:            mat.NewDense(n, d, x),
		Y:            y,
		FeatureNames: make([]string, d),
		TargetName:   "target",
		ClassNames:   make([]string, cfg.Classes),
	}
	for j := range ds.FeatureNames {
		ds.FeatureNames[j] = "f" + strconv.Itoa(j)
	}
	for c := range ds.ClassNames {
		ds.ClassNames[c] = strconv.Itoa(c)
	}
	return ds.Subset(newShuffler(cfg.Seed).perm(n)), nil
}
