package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{Tx: tx, s: s}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
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

// rawQuerier reads through the driver connection itself. Listing thousands
// of runs reads hundreds of thousands of values, and database/sql's per-row
// locking and conversions would cost more than SQLite's own work.
type rawQuerier struct {
	ctx context.Context
	c   driver.Conn
}

// readRaw runs fn in a read transaction on one driver connection.
func (s *Store) readRaw(ctx context.Context, fn func(rq *rawQuerier) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		rq := &rawQuerier{ctx: ctx, c: c}
		// A deferred BEGIN takes no lock, so it needs no cancelling; with
		// ctx, the driver could report a cancellation after the BEGIN took
		// effect, and the connection would go back to the pool inside a
		// transaction.
		if err := rq.exec(context.Background(), "BEGIN"); err != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
		err := fn(rq)
		// The rollback must run even when ctx has ended; a connection
		// left inside a transaction is no use to the pool.
		if rerr := rq.exec(context.Background(), "ROLLBACK"); rerr != nil {
			return errors.Join(err, rerr, driver.ErrBadConn)
		}
		return err
	})
}

func (rq *rawQuerier) exec(ctx context.Context, q string) error {
	ex, ok := rq.c.(driver.ExecerContext)
	if !ok {
		return errors.New("driver cannot execute statements")
	}
	_, err := ex.ExecContext(ctx, q, nil)
	return err
}

// query runs q with args and calls fn with each row; fn must not keep row.
func (rq *rawQuerier) query(q string, args []any, fn func(row []driver.Value) error) error {
	pc, ok := rq.c.(driver.ConnPrepareContext)
	if !ok {
		return errors.New("driver cannot prepare statements")
	}
	st, err := pc.PrepareContext(rq.ctx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		return errors.New("driver cannot query with a context")
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return err
		}
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	rows, err := sq.QueryContext(rq.ctx, named)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(dest); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := fn(dest); err != nil {
			return err
		}
	}
}

// vString, vInt and vFloat decode driver values; NULL is the zero value.
func vString(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return ""
}

func vInt(v driver.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case bool:
		if x {
			return 1
		}
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func vFloat(v driver.Value) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}
