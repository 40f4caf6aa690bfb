package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// TestReadOnlyDatabase opens a database its user may not write, as a user
// without root (reranAsUser drops root's privileges, which would let SQLite
// write any file). The refusal must say so in words and leave nothing behind, so
// that the database works again once it is writable.
func TestReadOnlyDatabase(t *testing.T) {
	if reranAsUser(t) {
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "mlflow.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateExperiment(ctx, "before", "", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	chmod(t, path, 0o444)
	before := entries(t, dir)
	if s, err := Open(ctx, path, Options{}); err == nil {
		s.Close()
		t.Fatal("a read-only database opened")
	} else if want := "sqlstore: " + path + " is read-only"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("read-only database: %v, want %q", err, want)
	}
	if got := entries(t, dir); got != before {
		t.Errorf("the refused open left %s, had %s", got, before)
	}

	chmod(t, path, 0o644)
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("writable again: %v", err)
	}
	exp, err := s.GetExperimentByName(ctx, "before")
	if err == nil {
		_, err = s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp.ID})
	}
	if err != nil {
		t.Errorf("writable again: %v", err)
	}
	s.Close()

	// A log file left read-only (by an older grove) is named, not hit.
	leftover := path + "-wal"
	if err := os.WriteFile(leftover, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, path, Options{}); err == nil || !strings.HasPrefix(err.Error(), "sqlstore: "+leftover+" is read-only") {
		t.Errorf("read-only log file: %v", err)
	}
	os.Remove(leftover)

	for _, name := range []string{"mlflow.db", "new.db"} {
		t.Run("folder/"+name, func(t *testing.T) {
			chmod(t, dir, 0o555)
			defer chmod(t, dir, 0o755)
			before := entries(t, dir)
			_, err := Open(ctx, filepath.Join(dir, name), Options{})
			if want := "sqlstore: folder " + dir + " is not writable"; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("read-only folder: %v, want %q", err, want)
			}
			if got := entries(t, dir); got != before {
				t.Errorf("the refused open left %s, had %s", got, before)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// entries lists the names and modes in dir.
func entries(t *testing.T, dir string) string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Name()+" "+info.Mode().String())
	}
	return "[" + strings.Join(out, ", ") + "]"
}
