package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records what a helper did to the test it was handed, so that a
// failure or skip of the helper can be checked without failing this test.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic(f) }
func (f *fakeT) Fatal(...any)          { f.failed = true; panic(f) }
func (f *fakeT) Skipf(string, ...any)  { f.skipped = true; panic(f) }

// run calls fn with a fakeT, stopping where a real test would stop.
func run(fn func(t testing.TB)) (f *fakeT) {
	f = &fakeT{}
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	fn(f)
	return f
}

func TestSameAsSource(t *testing.T) {
	// A module with ../shared beside it, as on a developer's machine.
	root := t.TempDir()
	mod := filepath.Join(root, "grove")
	write := func(p, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(mod, "go.mod"), "module x\n")
	write(filepath.Join(mod, "pkg", "testdata", "same.json"), "{}\n")
	write(filepath.Join(mod, "pkg", "testdata", "stale.json"), "{}\n")
	write(filepath.Join(root, "shared", "fixtures", "same.json"), "{}\n")
	write(filepath.Join(root, "shared", "fixtures", "stale.json"), "{\"new\": 1}\n")
	t.Chdir(filepath.Join(mod, "pkg"))

	tests := []struct {
		name, copy, rel string
		failed, skipped bool
	}{
		{"same", "testdata/same.json", "fixtures/same.json", false, false},
		{"stale", "testdata/stale.json", "fixtures/stale.json", true, false},
		{"copy missing", "testdata/gone.json", "fixtures/same.json", true, false},
		{"source missing", "testdata/same.json", "fixtures/gone.json", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := run(func(ft testing.TB) { SameAsSource(ft, tt.copy, tt.rel) })
			if f.failed != tt.failed || f.skipped != tt.skipped {
				t.Errorf("failed %v, skipped %v; want %v, %v", f.failed, f.skipped, tt.failed, tt.skipped)
			}
		})
	}
}
