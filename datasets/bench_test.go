package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// writeSynthCSV writes a rows x features synthetic table to a file in dir,
// numbers at full precision as scikit-learn's tools write them.
func writeSynthCSV(tb testing.TB, dir string, rows, features int) (path string, size int64) {
	tb.Helper()
	ds, err := MakeClassification(SynthConfig{Samples: rows, Features: features, Informative: 20, Redundant: 10, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	path = filepath.Join(dir, "synth.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := ds.WriteCSV(f); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	fi, _ := os.Stat(path)
	return path, fi.Size()
}

// BenchmarkReadCSV200kx40 loads the 200,000 x 40 table the issue names; the
// matrix alone is 64 MB, which B/op should stay close to.
func BenchmarkReadCSV200kx40(b *testing.B) {
	path, size := writeSynthCSV(b, b.TempDir(), 200_000, 40)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		ds, err := ReadCSV(path, CSVOptions{})
		if err != nil || ds.Rows() != 200_000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSV20kx40(b *testing.B) {
	path, size := writeSynthCSV(b, b.TempDir(), 20_000, 40)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadCSV(path, CSVOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigest fingerprints a 200,000 x 40 table, as autolog does for the
// training and test sets of every run.
func BenchmarkDigest(b *testing.B) {
	ds, err := MakeClassification(SynthConfig{Samples: 200_000, Features: 40, Informative: 20, Redundant: 10, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(ds.Rows() * (ds.Features() + 1) * 8))
	b.ResetTimer()
	for b.Loop() {
		ds.Digest()
	}
}
