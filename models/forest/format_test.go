package forest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func smallModel(t testing.TB) []byte {
	t.Helper()
	train := readTable(t, "testdata/iris_train.csv")
	return saved(t, fitOrFatal(t, Config{Trees: 3, Seed: 5}, train))
}

// reseal recomputes the checksum after a test edits a file's payload, so
// the edit reaches the parser instead of failing the checksum.
func reseal(b []byte) []byte {
	b = append([]byte(nil), b...)
	n := len(b) - 4
	binary.LittleEndian.PutUint32(b[n:], crc32.Checksum(b[:n], castagnoli))
	return b
}

func TestSaveLoadRoundTrip(t *testing.T) {
	train := readTable(t, "testdata/breast_cancer_train.csv")
	test := readTable(t, "testdata/breast_cancer_test.csv")
	for name, cfg := range map[string]Config{
		"integral":  {Trees: 15, Seed: 1, OOBScore: true, MaxFeatures: "7"},
		"weighted":  {Trees: 15, Seed: 1, ClassWeight: "balanced", MaxDepth: 3},
		"fullDepth": {Trees: 3, Seed: 9, NoBootstrap: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := fitOrFatal(t, cfg, train)
			file := saved(t, f)
			g, err := Load(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			pf, _ := f.PredictProba(test.X)
			pg, err := g.PredictProba(test.X)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(pf, pg) {
				t.Fatal("loaded model predicts other probabilities")
			}
			if !bytes.Equal(saved(t, g), file) {
				t.Fatal("saving the loaded model gives other bytes")
			}
			if s, ok := g.OOBScore(); ok != cfg.OOBScore || s != f.oob {
				t.Fatalf("OOBScore after load = %v, %v", s, ok)
			}
			fi, gi := f.FeatureImportances(), g.FeatureImportances()
			for j := range fi {
				if fi[j] != gi[j] {
					t.Fatalf("importance %d: %v after load, %v before", j, gi[j], fi[j])
				}
			}
			for k, v := range f.Params() {
				if g.Params()[k] != v && k != "n_jobs" {
					t.Fatalf("param %s: %s after load, %s before", k, g.Params()[k], v)
				}
			}
			if name, v := g.ModelFormat(); name != "grove-forest" || v != 1 {
				t.Fatalf("ModelFormat = %s, %d", name, v)
			}
			t.Logf("%s: %d bytes, %.2f bytes per node", describe(f), len(file), float64(len(file))/float64(f.Nodes()))
		})
	}
}

// withVersion returns a copy of file whose version field reads v, with the
// checksum recomputed when reseal is set, as a newer grove would write it.
func withVersion(file []byte, v uint32, resealed bool) []byte {
	b := append([]byte(nil), file...)
	binary.LittleEndian.PutUint32(b[8:], v)
	if resealed {
		b = reseal(b)
	}
	return b
}

func TestLoadBadFiles(t *testing.T) {
	good := smallModel(t)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	longer := append([]byte(nil), good...)
	binary.LittleEndian.PutUint64(longer[12:], 1<<40)
	extra := append(append([]byte(nil), good[:len(good)-4]...), 0, 0, 0, 0, 0)
	binary.LittleEndian.PutUint64(extra[12:], binary.LittleEndian.Uint64(good[12:])+1)
	extra = reseal(extra)
	for _, tc := range []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotModel},
		{"foreign", []byte("PK\x03\x04 this is a zip file, not a model"), ErrNotModel},
		{"json", []byte(`{"model": "forest"}`), ErrNotModel},
		{"magic only", good[:8], ErrTruncated},
		{"half magic", good[:4], ErrTruncated},
		{"truncated header", good[:15], ErrTruncated},
		{"truncated payload", good[:len(good)/2], ErrTruncated},
		{"no checksum", good[:len(good)-4], ErrTruncated},
		{"flipped bit", flipped, ErrCorrupted},
		// The version field: a number a little above this grove's is a
		// newer grove's file, whatever follows the header; any other
		// number, or a version-1 file whose field alone changed, is damage.
		{"newer version", withVersion(good, 2, true), ErrNewer},
		{"newest plausible version", withVersion(good, newestPlausible, true), ErrNewer},
		{"newer version, other layout", withVersion(good, 3, false)[:headerSize+10], ErrNewer},
		{"newer version, header only", withVersion(good, 2, false)[:headerSize], ErrNewer},
		{"version 0", withVersion(good, 0, true), ErrCorrupted},
		{"version bit flipped", withVersion(good, 1^1<<1, false), ErrCorrupted},
		{"version high bit flipped", withVersion(good, 1^1<<6, false), ErrCorrupted},
		{"version high byte", withVersion(good, 1|1<<24, true), ErrCorrupted},
		{"version just past plausible", withVersion(good, newestPlausible+1, true), ErrCorrupted},
		{"version stray byte", withVersion(good, 0xff, false), ErrCorrupted},
		{"huge length", longer, ErrTruncated},
		{"trailing byte", extra, ErrCorrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Load(bytes.NewReader(tc.file))
			if !errors.Is(err, tc.want) || f != nil {
				t.Fatalf("Load = %v, %v; want %v", f, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "forest: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			// The version errors are told apart in words too, for the
			// user who reads only the message.
			words := map[error]string{ErrNewer: "written by a newer grove", ErrCorrupted: "corrupted"}
			if w, ok := words[tc.want]; ok && !strings.Contains(err.Error(), w) {
				t.Fatalf("error %q does not say %q", err, w)
			}
		})
	}
}

// FuzzLoad feeds the loader arbitrary bytes, with the checksum fixed up
// half the time so the payload parser sees them too. It must never panic
// and whatever it accepts must predict without panicking.
func FuzzLoad(f *testing.F) {
	good := smallModel(f)
	f.Add(good, false)
	f.Add(good[:30], false)
	f.Add([]byte("GROVEFST"), false)
	f.Add(good, true)
	f.Add(withVersion(good, 2, false), false)
	f.Add(withVersion(good, 3, true), true)
	f.Add(withVersion(good, 0x41, false), false)
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix && len(b) >= headerSize+4 {
			b = reseal(b)
		}
		m, err := Load(bytes.NewReader(b))
		if err != nil {
			return
		}
		X := mat.NewDense(2, m.Features(), nil)
		if _, err := m.PredictProba(X); err != nil {
			t.Fatalf("loaded model fails to predict: %v", err)
		}
	})
}
