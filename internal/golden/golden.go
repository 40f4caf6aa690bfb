// Package golden compares a command's output with a golden file under
// testdata/, the way grove's command tests check what a user sees: the file
// is the expected text, rewritten from the current output when the test's
// -update flag is set, never edited by hand.
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with testdata/<name>.golden, or writes got there when
// update is set.
func Check(t testing.TB, name, got string, update bool) {
	t.Helper()
	file := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}
