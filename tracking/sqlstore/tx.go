package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// Every statement of a Store runs on a connection of the internal package
// lite, opened by openConn with one list of pragmas: the writer (one, under
// Store.wmu), the readers (a pool, read.go) and the checkpointer's two
// (checkpoint.go). Writes go through Store.write, reads through Store.read.

// pragmas are the settings of every connection a Store opens. Foreign keys
// are on, as MLflow declares them. synchronous = NORMAL is WAL's setting
// that survives a crash of the process. A 32 MB page cache keeps a long
// history in memory between reads, and statement journals (for multi-row
// inserts) stay in memory. Commits never checkpoint: the Store's
// checkpointer does (checkpoint.go).
var pragmas = []string{
	"foreign_keys = 1",
	"synchronous = NORMAL",
	"cache_size = -32768",
	"temp_store = 2",
	"wal_autocheckpoint = 0",
}

// openConn opens a connection to the database at path with pragmas; a
// read-only one is query_only, which guards the file against a mistake.
func openConn(path string, readOnly bool) (*lite.Conn, error) {
	p := pragmas
	if readOnly {
		p = append(p[:len(p):len(p)], "query_only = 1")
	}
	return lite.Open(path, busyTimeout, p...)
}

// tx runs the statements of one transaction.
type tx struct{ c *lite.Conn }

// exec runs q with args and discards any rows.
func (t tx) exec(q string, args ...any) error { return t.c.Query(q, args, nil) }

// query runs q with args and calls fn with each row. fn reads the row's
// columns from the statement and must not keep them.
func (t tx) query(q string, args []any, fn func(row *lite.Stmt) error) error {
	return t.c.Query(q, args, fn)
}

// row runs q with args and calls fn with its first row, if any.
func (t tx) row(q string, args []any, fn func(row *lite.Stmt)) (found bool, err error) {
	err = t.c.Query(q, args, func(row *lite.Stmt) error {
		if !found {
			found = true
			fn(row)
		}
		return nil
	})
	return found, err
}

// deleted runs a DELETE ... RETURNING statement and reports whether it
// removed a row.
func (t tx) deleted(q string, args ...any) (bool, error) {
	return t.row(q, args, func(*lite.Stmt) {})
}

// write runs fn in a write transaction begun with BEGIN IMMEDIATE, so that
// two processes never both hold a read snapshot and then race to upgrade it
// to a write lock (which SQLite would answer with SQLITE_BUSY at once,
// whatever the timeout), and commits it. A transaction that fails because
// another process held the database past the busy timeout is retried a few
// times: sweeps start many processes on one file, and losing a run to a
// lock would be worse than waiting.
func (s *Store) write(ctx context.Context, fn func(t tx) error) error {
	var err error
	for attempt := range 4 {
		err = s.writeOnce(ctx, fn)
		if err == nil || !isBusy(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(10<<attempt) * time.Millisecond)
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(t tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Writers of this process queue here rather than in SQLite's busy
	// handler, which polls with sleeps of up to 100 ms.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return errClosed
	}
	s.ckpt.beforeWrite()
	if s.writer == nil {
		c, err := openConn(s.path, false)
		if err != nil {
			return err
		}
		s.writer = c
	}
	c := s.writer
	err := c.Tx(ctx, "BEGIN IMMEDIATE", true, func() error { return fn(tx{c}) })
	if c.InTransaction() {
		// A connection stuck in a transaction would hold the write lock:
		// drop it, the next write opens another.
		c.Close()
		s.writer = nil
	}
	if err == nil {
		s.ckpt.committed()
	}
	return err
}

// isBusy reports whether err is SQLite's "database is locked" or "busy".
func isBusy(err error) bool {
	var le *lite.Error
	if errors.As(err, &le) {
		c := le.Code & 0xff
		return c == 5 || c == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	return false
}

// errorf returns MLflow's error code and message as an error of this
// package: its text starts with "sqlstore: ", and errors.As still finds the
// *store.Error, whose Message is what MLflow's clients see.
func errorf(code, format string, args ...any) error {
	return &storeError{store.Errorf(code, format, args...)}
}

// storeError is a *store.Error returned by this package.
type storeError struct{ err *store.Error }

func (e *storeError) Error() string { return "sqlstore: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// wrap turns a failure into an error that says what grove was doing; an
// MLflow error passes through with its code and message, prefixed once.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var own *storeError
	if errors.As(err, &own) {
		return err
	}
	var se *store.Error
	if errors.As(err, &se) {
		if strings.HasPrefix(err.Error(), "sqlstore: ") {
			return err
		}
		return fmt.Errorf("sqlstore: %w", err)
	}
	return fmt.Errorf("sqlstore: "+format+": %w", append(args, err)...)
}
