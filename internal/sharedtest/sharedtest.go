package sharedtest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Path returns ../shared/rel beside the root of the module holding the
// current folder, or skips t, saying what is missing, when it is not there.
func Path(t testing.TB, rel string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Skipf("skipping: no ../shared to read %s: %v", rel, err)
	}
	p := filepath.Join(root, "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: ../shared/%s is not beside this clone", rel)
	}
	return p
}

// SameAsSource fails t when the file copy (relative to the test's folder)
// differs from its source ../shared/rel, and skips t when the source is not
// there. A copy is refreshed by copying the source again, never by editing.
func SameAsSource(t testing.TB, copy, rel string) {
	t.Helper()
	src := Path(t, rel)
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(copy)
	if err != nil {
		t.Fatalf("copy of ../shared/%s: %v", rel, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its source ../shared/%s (%d bytes against %d): copy it again", copy, rel, len(got), len(want))
	}
}

// moduleRoot returns the nearest folder at or above the current one that
// holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
