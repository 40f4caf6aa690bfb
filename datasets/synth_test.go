package datasets

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestMakeClassification(t *testing.T) {
	cfg := SynthConfig{Samples: 3000, Features: 12, Informative: 4, Redundant: 3, Classes: 3, ClassSep: 2, Seed: 5}
	ds, err := MakeClassification(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Rows() != 3000 || ds.Features() != 12 || ds.Classes() != 3 {
		t.Fatalf("shape %d x %d, %d classes", ds.Rows(), ds.Features(), ds.Classes())
	}
	counts := classCounts(ds)
	for _, c := range counts {
		if c != 1000 {
			t.Errorf("class counts %v, want 1000 each", counts)
		}
	}
	again, _ := MakeClassification(cfg)
	if again.Digest() != ds.Digest() {
		t.Error("the same seed drew different data")
	}
	cfg.Seed++
	if other, _ := MakeClassification(cfg); other.Digest() == ds.Digest() {
		t.Error("different seeds drew the same data")
	}

	// The informative columns must tell the classes apart far better than
	// the noise columns do: compare the spread of class means.
	spread := func(col int) float64 {
		var means []float64
		for c := 0; c < 3; c++ {
			var xs []float64
			for i, y := range ds.Y {
				if y == c {
					xs = append(xs, ds.X.At(i, col))
				}
			}
			means = append(means, stat.Mean(xs, nil))
		}
		return stat.Variance(means, nil)
	}
	var inf, noise float64
	for j := 0; j < 4; j++ {
		inf += spread(j)
	}
	for j := 7; j < 11; j++ {
		noise += spread(j)
	}
	if inf < 20*noise {
		t.Errorf("informative spread %.3g is not far above noise spread %.3g", inf, noise)
	}
	// A redundant column is a linear mix of the informative ones: it is
	// correlated with at least one of them.
	col := func(j int) []float64 {
		out := make([]float64, ds.Rows())
		for i := range out {
			out[i] = ds.X.At(i, j)
		}
		return out
	}
	best := 0.0
	for j := 0; j < 4; j++ {
		if r := stat.Correlation(col(4), col(j), nil); r*r > best {
			best = r * r
		}
	}
	if best < 0.05 {
		t.Errorf("redundant column 4 is uncorrelated with every informative column (best r^2 %.3f)", best)
	}
}

func TestMakeClassificationErrors(t *testing.T) {
	tests := []struct {
		cfg  SynthConfig
		want string
	}{
		{SynthConfig{Classes: 1}, "at least 2 classes"},
		{SynthConfig{Features: 3, Informative: 2, Redundant: 2}, "exceed 3 features"},
		{SynthConfig{Informative: 2, Classes: 3, ClustersPerClass: 2}, "hypercube vertices"},
		{SynthConfig{FlipY: 2}, "flip share"},
		{SynthConfig{Samples: -1}, "positive"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := MakeClassification(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "datasets: ") {
				t.Errorf("%+v: got %v, want an error holding %q", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	ds, _ := MakeClassification(SynthConfig{Samples: 50, Seed: 1})
	d := ds.Digest()
	if len(d) != 8 || strings.Trim(d, "0123456789abcdef") != "" {
		t.Fatalf("digest %q is not 8 hex digits", d)
	}
	same := ds.Subset(seq(0, 50))
	if same.Digest() != d {
		t.Error("a full copy has another digest")
	}
	same.X.Set(3, 3, same.X.At(3, 3)+1e-15)
	if same.Digest() == d {
		t.Error("a changed value kept the digest")
	}
	relabel := ds.Subset(seq(0, 50))
	relabel.Y[0] = 1 - relabel.Y[0]
	if relabel.Digest() == d {
		t.Error("a changed label kept the digest")
	}
	if ds.Subset(seq(0, 49)).Digest() == d {
		t.Error("a dropped row kept the digest")
	}
}

func BenchmarkMakeClassification(b *testing.B) {
	for b.Loop() {
		MakeClassification(SynthConfig{Samples: 10000, Features: 20, Seed: 1})
	}
}
