package datasets

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// FuzzReadCSV feeds arbitrary bytes to the reader. It must never panic; an
// error must be a *ParseError (or an I/O error from gzip); a success must be a
// consistent Dataset that survives a write and a read unchanged.
// The seed corpus is in testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,2,x\n3,4,w\n"), "")
	f.Add([]byte("\"q,1\",y\n\"1\",\"a\"\"b\"\n2,c\n"), "y")
	f.Add([]byte("a,y\r\n1e5,1\r\n-0x1p3,2\r\n"), "a")
	// Tiny blocks put block edges everywhere, inside lines and between.
	old := blockSize
	blockSize = 7
	f.Cleanup(func() { blockSize = old })
	f.Fuzz(func(t *testing.T, in []byte, target string) {
		ds, err := ReadCSVFrom(bytes.NewReader(in), CSVOptions{Target: target})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !bytes.HasPrefix(in, []byte{0x1f, 0x8b}) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		r, c := ds.X.Dims()
		if r != len(ds.Y) || c != len(ds.FeatureNames) || r == 0 || ds.Classes() < 2 {
			t.Fatalf("inconsistent dataset: %d x %d, %d labels, %d classes", r, c, len(ds.Y), ds.Classes())
		}
		for _, v := range ds.X.RawMatrix().Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
		for _, y := range ds.Y {
			if y < 0 || y >= ds.Classes() {
				t.Fatalf("label %d out of range", y)
			}
		}
		var buf bytes.Buffer
		if err := ds.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSVFrom(&buf, CSVOptions{Target: ds.TargetName})
		if err != nil {
			// Names that collide with missing-value spellings cannot be
			// written back faithfully; anything else must read.
			for _, n := range ds.ClassNames {
				if missing[n] {
					return
				}
			}
			t.Fatalf("written data does not read back: %v\n%q", err, buf.Bytes())
		}
		if back.Digest() != ds.Digest() {
			t.Fatalf("data changed in a write and read")
		}
	})
}
