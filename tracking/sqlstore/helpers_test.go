package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking/store"

	_ "modernc.org/sqlite" // the database/sql driver, for a second look at the file
)

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "mlflow.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newRun(t testing.TB, s *Store, name string) *store.Run {
	t.Helper()
	ctx := context.Background()
	expID, err := s.CreateExperiment(ctx, "exp-"+name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, UserID: "tester", RunName: name, StartTime: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sqlDB opens the store's file through database/sql, a second look at what
// the store wrote, independent of its own connections.
func sqlDB(t testing.TB, s *Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(s.Path())+"?_pragma=busy_timeout(20000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
