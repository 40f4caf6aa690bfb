package sqlstore

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestFixtureCopies checks that the fixtures copied into testdata, so that
// a clone of grove alone runs the tests that read them, are still the ones
// the real MLflow produced in ../shared/fixtures/mlflow.
func TestFixtureCopies(t *testing.T) {
	for _, c := range []struct{ copy, source string }{
		{"alembic_head.txt", "alembic_head.txt"},
		{"mlflow-schema.sql", "schema.sql"},
		{"golden.db", "golden.db"},
		{"golden-ids.json", "golden-ids.json"},
		{"golden-read_store.json", "golden-read_store.json"},
		{"golden-artifacts", "golden-artifacts"},
	} {
		t.Run(c.copy, func(t *testing.T) {
			src := sharedFixture(t, c.source)
			want, got := tree(t, src), tree(t, filepath.Join("testdata", c.copy))
			for name, b := range want {
				if g, ok := got[name]; !ok {
					t.Errorf("testdata/%s lacks %s", c.copy, name)
				} else if !bytes.Equal(g, b) {
					t.Errorf("testdata/%s: %s differs from %s", c.copy, name, src)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("testdata/%s has %s, which %s does not", c.copy, name, src)
				}
			}
		})
	}
}

// tree returns the files at or under path by their path relative to it.
func tree(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(path, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
