package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// write runs fn in a write transaction (BEGIN IMMEDIATE, from the DSN) and
// commits it. A transaction that fails because another process held the
// database past the busy timeout is retried a few times: sweeps start many
// processes on one file, and losing a run to a lock would be worse than
// waiting.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
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

func (s *Store) writeOnce(ctx context.Context, fn func(tx *txn) error) error {
	// Writers of this process queue here rather than in SQLite's busy
	// handler, which polls with sleeps of up to 100 ms.
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return errClosed
	}
	s.ckpt.beforeWrite()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{Tx: tx, s: s}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.ckpt.committed()
	return nil
}

// read runs fn in a read transaction, so that it sees one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&txn{Tx: tx, s: s})
}

// txn is a transaction whose statements come from the store's cache of
// prepared statements: with the pure-Go SQLite, parsing a statement costs
// about as much as running it, and the same few statements run for every
// metric logged.
type txn struct {
	*sql.Tx
	s *Store
}

// maxCachedStmts bounds the cache; statements built for one list length
// (IN lists, multi-row inserts) are many, and past the bound they are simply
// prepared each time.
const maxCachedStmts = 128

// prepared returns the store-wide prepared statement for q.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	if len(s.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// PrepareContext returns the cached statement for q, bound to the transaction.
func (t *txn) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	st, err := t.s.prepared(ctx, q)
	if err != nil || st == nil {
		return t.Tx.PrepareContext(ctx, q)
	}
	return t.Tx.StmtContext(ctx, st), nil
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := t.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := t.PrepareContext(ctx, q)
	if err != nil {
		// The uncached path reports the same error through the Row.
		return t.Tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// isBusy reports whether err is SQLite's "database is locked" or "busy".
func isBusy(err error) bool {
	var le *lite.Error
	if errors.As(err, &le) {
		c := le.Code & 0xff
		return c == 5 || c == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	var se interface{ Code() int }
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == 5 || c == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// wrap turns a database failure into an error that says what grove was doing;
// store errors pass through unchanged so that errors.Is keeps working.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("sqlstore: "+format+": %w", append(args, err)...)
}
