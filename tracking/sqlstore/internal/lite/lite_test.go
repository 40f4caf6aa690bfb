package lite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// newDB creates a database with the driver, as sqlstore does before it opens
// Conns on the same file, and returns its path.
func newDB(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{"PRAGMA journal_mode = WAL"}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return path
}

func open(t *testing.T, path string, pragmas ...string) *Conn {
	t.Helper()
	c, err := Open(path, time.Second, pragmas...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func TestRoundTrip(t *testing.T) {
	c := open(t, newDB(t, `CREATE TABLE t (i INTEGER, f REAL, s TEXT, n)`))
	ins, err := c.prepare(`INSERT INTO t (i, f, s, n) VALUES (?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		i    any
		f    float64
		s    string
		null bool
	}{
		{int64(math.MinInt64), -math.MaxFloat64, "", true},
		{7, 0.1, "héllo ✓", false},
		{true, math.SmallestNonzeroFloat64, strings.Repeat("x", 10000), false},
		{int64(math.MaxInt64), math.Inf(1), "a\x00b", true},
	}
	for _, r := range rows {
		var n any = "set"
		if r.null {
			n = nil
		}
		if err := ins.Bind(r.i, r.f, r.s, n); err != nil {
			t.Fatal(err)
		}
		if more, err := ins.Step(); more || err != nil {
			t.Fatalf("insert: %v %v", more, err)
		}
		ins.Reset()
	}
	sel, err := c.prepare(`SELECT i, f, s, n, typeof(s) FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Reset()
	for k, r := range rows {
		more, err := sel.Step()
		if !more || err != nil {
			t.Fatalf("row %d: %v %v", k, more, err)
		}
		want := map[any]int64{int64(math.MinInt64): math.MinInt64, 7: 7, true: 1, int64(math.MaxInt64): math.MaxInt64}[r.i]
		if got := sel.Int64(0); got != want {
			t.Errorf("row %d: i = %d, want %d", k, got, want)
		}
		if got := sel.Float64(1); got != r.f {
			t.Errorf("row %d: f = %g, want %g", k, got, r.f)
		}
		if got := sel.Text(2); got != r.s {
			t.Errorf("row %d: s = %.20q, want %.20q", k, got, r.s)
		}
		if got := string(sel.TextBytes(2)); got != r.s {
			t.Errorf("row %d: s bytes = %.20q, want %.20q", k, got, r.s)
		}
		if got := sel.Null(3); got != r.null {
			t.Errorf("row %d: null = %v, want %v", k, got, r.null)
		}
		if got := sel.Text(4); got != "text" {
			t.Errorf("row %d: bound string stored as %s, want text", k, got)
		}
	}
	if more, err := sel.Step(); more || err != nil {
		t.Fatalf("after the last row: %v %v", more, err)
	}
}

func TestPrepareCachesAndResets(t *testing.T) {
	c := open(t, newDB(t))
	q := `SELECT ?1 + 1`
	a, err := c.prepare(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 41} {
		s, err := c.prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		if s != a {
			t.Fatal("the same SQL was compiled twice")
		}
		if err := s.Bind(n); err != nil {
			t.Fatal(err)
		}
		if more, err := s.Step(); !more || err != nil {
			t.Fatal(more, err)
		}
		if got := s.Int64(0); got != int64(n+1) {
			t.Errorf("%d + 1 = %d", n, got)
		}
		s.Reset()
	}
	// Reset clears bindings: an unbound parameter is NULL.
	if more, err := a.Step(); !more || err != nil || !a.Null(0) {
		t.Errorf("after Reset, ?1 + 1 gave %v %v null=%v", more, err, a.Null(0))
	}
	a.Reset()
}

func TestErrors(t *testing.T) {
	path := newDB(t, `CREATE TABLE t (k TEXT PRIMARY KEY)`, `INSERT INTO t VALUES ('a')`)
	c := open(t, path, "query_only = 1")
	var e *Error
	if _, err := c.prepare(`SELEKT 1`); !errors.As(err, &e) || !strings.Contains(e.Msg, "syntax error") {
		t.Errorf("bad SQL: %v", err)
	}
	if err := c.Exec(`INSERT INTO t VALUES ('b')`); !errors.As(err, &e) || !strings.Contains(e.Msg, "readonly") {
		t.Errorf("write on a query_only connection: %v", err)
	}
	s, err := c.prepare(`SELECT ?`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bind(struct{}{}); err == nil || !strings.Contains(err.Error(), "cannot bind a struct {}") {
		t.Errorf("unsupported type: %v", err)
	}
	s.Reset()
	missing := filepath.Join(t.TempDir(), "missing.db")
	if _, err := Open(missing, time.Second); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(path, time.Second, "no_such_thing = ("); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad pragma: %v", err)
	}
}

func TestWatchInterrupts(t *testing.T) {
	c := open(t, newDB(t))
	// Counting to a billion takes minutes: only the interrupt ends it.
	s, err := c.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT count(*) FROM n`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	stop := c.Watch(ctx)
	start := time.Now()
	_, err = s.Step()
	stop()
	s.Reset()
	var e *Error
	if !errors.As(err, &e) || !e.Interrupted() {
		t.Fatalf("got %v, want an interrupt", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the interrupt took %v", d)
	}
	// The connection works again at once.
	one, err := c.prepare(`SELECT 1`)
	if err != nil {
		t.Fatal(err)
	}
	if more, err := one.Step(); !more || err != nil || one.Int64(0) != 1 {
		t.Errorf("after an interrupt: %v %v", more, err)
	}
	one.Reset()
	// A watch whose context never ends costs nothing and interrupts nothing.
	c.Watch(context.Background())()
}

// TestSeesOtherConnections checks that a Conn reads what another
// connection committed to the file, and keeps its snapshot within a
// transaction.
func TestSeesOtherConnections(t *testing.T) {
	path := newDB(t, `CREATE TABLE t (i INTEGER)`)
	c := open(t, path, "query_only = 1")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() int64 {
		s, err := c.prepare(`SELECT count(*) FROM t`)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Reset()
		if more, err := s.Step(); !more || err != nil {
			t.Fatal(more, err)
		}
		return s.Int64(0)
	}
	if _, err := db.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
	if err := c.Exec("BEGIN"); err != nil {
		t.Fatal(err)
	}
	count() // the snapshot starts with the first read
	if !c.InTransaction() {
		t.Error("InTransaction is false after BEGIN")
	}
	if _, err := db.Exec(`INSERT INTO t VALUES (2)`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("inside a read transaction, count = %d, want 1", n)
	}
	if err := c.Exec("ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("after it, count = %d, want 2", n)
	}
}

func TestCheckpoint(t *testing.T) {
	path := newDB(t, `CREATE TABLE t (s TEXT)`)
	db, err := sql.Open("sqlite", path+"?_pragma=wal_autocheckpoint(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 50 {
		if _, err := db.Exec(`INSERT INTO t VALUES (?)`, strings.Repeat("x", 3000)); err != nil {
			t.Fatal(err)
		}
	}
	c := open(t, path)
	frames, copied, err := c.Checkpoint(CheckpointNoop)
	if err != nil || frames < 50 || copied != 0 {
		t.Fatalf("noop: %d frames, %d copied, %v; want 50 or more, none copied", frames, copied, err)
	}
	if f, cp, err := c.Checkpoint(CheckpointPassive); err != nil || f != frames || cp != frames {
		t.Fatalf("passive: %d frames, %d copied, %v; want %d and %d", f, cp, err, frames, frames)
	}
	if _, _, err := c.Checkpoint(CheckpointRestart); err != nil {
		t.Fatal(err)
	}
	// The next write starts the log from its beginning.
	if _, err := db.Exec(`INSERT INTO t VALUES ('y')`); err != nil {
		t.Fatal(err)
	}
	if f, _, err := c.Checkpoint(CheckpointNoop); err != nil || f >= frames {
		t.Errorf("after a restart and one insert: %d frames, %v", f, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 51 {
		t.Errorf("%d rows, %v", n, err)
	}
}

func TestQuery(t *testing.T) {
	c := open(t, newDB(t, `CREATE TABLE t (i INTEGER)`))
	if err := c.Query(`INSERT INTO t VALUES (?), (?), (?)`, []any{1, 2, 3}, nil); err != nil {
		t.Fatal(err)
	}
	var sum int64
	if err := c.Query(`SELECT i FROM t WHERE i > ?`, []any{1}, func(row *Stmt) error { sum += row.Int64(0); return nil }); err != nil || sum != 5 {
		t.Errorf("sum of i > 1: %d, %v", sum, err)
	}
	stop := errors.New("stop")
	rows := 0
	if err := c.Query(`SELECT i FROM t`, nil, func(*Stmt) error { rows++; return stop }); err != stop || rows != 1 {
		t.Errorf("fn's error: %v after %d rows", err, rows)
	}
	// The statement was reset: it runs again from its first row.
	if err := c.Query(`SELECT i FROM t`, nil, func(*Stmt) error { rows++; return nil }); err != nil || rows != 4 {
		t.Errorf("again: %d rows, %v", rows, err)
	}
}

func TestClosed(t *testing.T) {
	c, err := Open(newDB(t), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.Exec("SELECT 1"); err == nil {
		t.Error("Exec on a closed connection succeeded")
	}
	if _, err := c.prepare("SELECT 1"); err == nil {
		t.Error("Prepare on a closed connection succeeded")
	}
	if _, _, err := c.Checkpoint(CheckpointNoop); err == nil {
		t.Error("Checkpoint on a closed connection succeeded")
	}
	if c.InTransaction() {
		t.Error("a closed connection is in a transaction")
	}
}

// TestWatchBetweenStatements ends the context while no statement runs: the
// next statement must fail, and after stop the connection works again.
func TestWatchBetweenStatements(t *testing.T) {
	c := open(t, newDB(t))
	ctx, cancel := context.WithCancel(context.Background())
	stop := c.Watch(ctx)
	if err := c.Exec("SELECT 1"); err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	var err error
	for {
		err = c.Query("SELECT 1", nil, nil)
		if err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond) // the watch runs on its own goroutine
	}
	var e *Error
	if !errors.As(err, &e) || !e.Interrupted() {
		t.Errorf("a statement after the context ended: %v", err)
	}
	if err := c.Exec("SELECT 1"); err == nil {
		t.Error("Exec after the context ended succeeded")
	}
	stop()
	if err := c.Exec("SELECT 1"); err != nil {
		t.Errorf("after stop: %v", err)
	}
}

func TestTx(t *testing.T) {
	c := open(t, newDB(t, `CREATE TABLE t (i INTEGER)`))
	ctx := context.Background()
	count := func() (n int64) {
		c.Query(`SELECT count(*) FROM t`, nil, func(row *Stmt) error { n = row.Int64(0); return nil })
		return n
	}
	insert := func() error { return c.Exec(`INSERT INTO t VALUES (1)`) }
	if err := c.Tx(ctx, "BEGIN IMMEDIATE", true, insert); err != nil || count() != 1 {
		t.Fatalf("commit: %v, %d rows", err, count())
	}
	bad := errors.New("bad")
	if err := c.Tx(ctx, "BEGIN IMMEDIATE", true, func() error { insert(); return bad }); err != bad || count() != 1 {
		t.Errorf("fn failing: %v, %d rows; want bad, 1", err, count())
	}
	if err := c.Tx(ctx, "BEGIN", false, insert); err != nil || count() != 1 {
		t.Errorf("without commit: %v, %d rows; want nil, 1", err, count())
	}
	cctx, cancel := context.WithCancel(ctx)
	err := c.Tx(cctx, "BEGIN IMMEDIATE", true, func() error { err := insert(); cancel(); return err })
	if !errors.Is(err, context.Canceled) || count() != 1 {
		t.Errorf("context ended before COMMIT: %v, %d rows; want context.Canceled, 1", err, count())
	}
	if c.InTransaction() {
		t.Error("left inside a transaction")
	}
}

func TestCacheKeepsStatementsInUse(t *testing.T) {
	c := open(t, newDB(t, `CREATE TABLE t (i INTEGER)`, `INSERT INTO t VALUES (1), (2), (3)`))
	var got []int64
	err := c.Query(`SELECT i FROM t ORDER BY i`, nil, func(row *Stmt) error {
		// Enough other statements to fill the cache twice over while
		// the outer one is between rows.
		for k := range 2 * maxStmts {
			if err := c.Query(fmt.Sprintf(`SELECT %d`, k), nil, nil); err != nil {
				return err
			}
		}
		got = append(got, row.Int64(0))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("outer rows = %v, want [1 2 3]", got)
	}
	if n := len(c.stmts); n > maxStmts+1 {
		t.Errorf("%d statements cached, want at most %d", n, maxStmts+1)
	}
	err = c.Query(`SELECT i FROM t`, nil, func(*Stmt) error {
		return c.Query(`SELECT i FROM t`, nil, nil)
	})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "already running") {
		t.Errorf("a statement run again from its own rows: %v", err)
	}
}
