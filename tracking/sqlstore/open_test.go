package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	refusedUntouched := func(name, path, want string) {
		t.Helper()
		before, _ := os.ReadFile(path)
		_, err := Open(ctx, path, Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Open error %v, want one mentioning %q", name, err, want)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s: file changed", name)
		}
		for _, ext := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + ext); err == nil {
				t.Errorf("%s: left %s behind", name, ext)
			}
		}
	}
	refusedUntouched("text", write("notes.db", []byte("just some notes, not a database\n")), "not an SQLite database")

	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", "file:"+other)
	db.Exec(`CREATE TABLE people (name TEXT)`)
	db.Close()
	refusedUntouched("foreign sqlite", other, "not an MLflow database")

	old := filepath.Join(dir, "old.db")
	db, _ = sql.Open("sqlite", "file:"+old)
	db.Exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)`)
	db.Exec(`INSERT INTO alembic_version VALUES ('451aebb31d03')`)
	db.Exec(`CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name TEXT)`)
	db.Exec(`CREATE TABLE runs (run_uuid TEXT)`)
	db.Close()
	refusedUntouched("old mlflow", old, "mlflow db upgrade")

	if _, err := Open(ctx, dir, Options{}); err == nil {
		t.Error("Open of a folder succeeded")
	}
	if _, err := Open(ctx, filepath.Join(dir, "missing", "x.db"), Options{}); err == nil {
		t.Error("Open in a missing folder succeeded")
	}

	// An empty file is a new database, as for MLflow.
	empty := write("empty.db", nil)
	s, err := Open(ctx, empty, Options{ArtifactRoot: "file:///srv/arts"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.GetExperiment(ctx, "0")
	if e.ArtifactLocation != "file:///srv/arts/0" {
		t.Errorf("Default artifact location %s", e.ArtifactLocation)
	}
	s.Close()

	// A database a newer MLflow upgraded: an extra column and table do not
	// stop grove, whose inserts name their columns.
	newer := filepath.Join(dir, "newer.db")
	s, err = Open(ctx, newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB(t, s).Exec(`ALTER TABLE runs ADD COLUMN future_col TEXT NOT NULL DEFAULT 'x'`)
	sqlDB(t, s).Exec(`CREATE TABLE future_table (id INTEGER)`)
	sqlDB(t, s).Exec(`UPDATE alembic_version SET version_num = 'ffffffffffff'`)
	s.Close()
	s, err = Open(ctx, newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.SchemaRevision() != "ffffffffffff" {
		t.Errorf("revision %s; grove must not restamp", s.SchemaRevision())
	}
	r := newRun(t, s, "future")
	if err := s.LogBatch(ctx, r.Info.RunID, []store.Metric{{Key: "m", Value: 1}}, nil, nil); err != nil {
		t.Fatal(err)
	}
}
