package lite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Error is an error reported by SQLite: its extended result code and message.
type Error struct {
	Code int    // extended result code, such as 2067 (SQLITE_CONSTRAINT_UNIQUE)
	Msg  string // SQLite's message
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%d)", e.Msg, e.Code) }

// Interrupted reports whether the statement was stopped by Conn.Watch.
func (e *Error) Interrupted() bool { return e.Code&0xff == sqlite3.SQLITE_INTERRUPT }

// Conn is one connection to an SQLite database. It is not safe for
// concurrent use, except Watch's interrupt, which may come from any
// goroutine.
type Conn struct {
	tls   *libc.TLS
	itls  *libc.TLS // for Watch's interrupts, which run on other goroutines
	db    uintptr
	stmts map[string]*Stmt

	wmu     sync.Mutex // serialises Watch's interrupts with Close
	closing bool
	ended   atomic.Bool // the watched context has ended
}

// Open opens the existing database file at path for reading and writing,
// waits up to busy for another process's lock, and runs each of pragmas
// ("query_only = 1", ...) on the new connection.
func Open(path string, busy time.Duration, pragmas ...string) (*Conn, error) {
	c := &Conn{tls: libc.NewTLS(), itls: libc.NewTLS(), stmts: map[string]*Stmt{}}
	if err := c.open(path); err != nil {
		c.Close()
		return nil, fmt.Errorf("lite: open %s: %w", path, err)
	}
	sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, int32(busy.Milliseconds()))
	for _, p := range pragmas {
		if err := c.Exec("PRAGMA " + p); err != nil {
			c.Close()
			return nil, fmt.Errorf("lite: open %s: %w", path, err)
		}
	}
	return c, nil
}

func (c *Conn) open(path string) error {
	name, err := libc.CString(path)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, name)
	out := libc.Xmalloc(c.tls, 8)
	if out == 0 {
		return errNoMem
	}
	defer libc.Xfree(c.tls, out)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	// SQLite may return a handle even when opening failed; it holds the
	// message and Close releases it.
	c.db = *(*uintptr)(ptr(out))
	if rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// maxStmts bounds the statements a connection keeps compiled.
const maxStmts = 64

var (
	errNoMem       = &Error{Code: sqlite3.SQLITE_NOMEM, Msg: "out of memory"}
	errClosed      = &Error{Code: sqlite3.SQLITE_MISUSE, Msg: "the connection is closed"}
	errInterrupted = &Error{Code: sqlite3.SQLITE_INTERRUPT, Msg: "interrupted"}
)

// Close finalizes the connection's statements and closes it.
func (c *Conn) Close() error {
	if c.tls == nil {
		return nil
	}
	c.wmu.Lock()
	c.closing = true
	c.wmu.Unlock()
	for _, s := range c.stmts {
		s.Reset()
		sqlite3.Xsqlite3_finalize(c.tls, s.h)
	}
	c.stmts = nil
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.err(rc)
		}
		c.db = 0
	}
	c.tls.Close()
	c.itls.Close()
	c.tls = nil
	return err
}

// Exec runs sql, one or more statements without parameters, and discards
// any rows.
func (c *Conn) Exec(sql string) error {
	if err := c.usable(); err != nil {
		return err
	}
	q, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, q)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// prepare returns the statement for sql, compiled once per connection and
// reset, with no values bound. Up to maxStmts statements are kept: when the
// cache is full, prepare finalizes those no Query is using, so a statement
// is safe from the moment prepare returns it until Query resets it.
func (c *Conn) prepare(sql string) (*Stmt, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if s, ok := c.stmts[sql]; ok {
		return s, nil
	}
	if len(c.stmts) >= maxStmts {
		// Queries built per call (an IN list of experiment ids) must not
		// grow the cache without bound; statements in use stay.
		for q, s := range c.stmts {
			if !s.inUse {
				sqlite3.Xsqlite3_finalize(c.tls, s.h)
				delete(c.stmts, q)
			}
		}
	}
	q, err := libc.CString(sql)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, q)
	out := libc.Xmalloc(c.tls, 8)
	if out == 0 {
		return nil, errNoMem
	}
	defer libc.Xfree(c.tls, out)
	rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, q, int32(len(sql)), sqlite3.SQLITE_PREPARE_PERSISTENT, out, 0)
	if rc != sqlite3.SQLITE_OK {
		return nil, c.err(rc)
	}
	h := *(*uintptr)(ptr(out))
	if h == 0 {
		return nil, &Error{Code: sqlite3.SQLITE_MISUSE, Msg: "no statement in " + sql}
	}
	s := &Stmt{c: c, h: h}
	c.stmts[sql] = s
	return s, nil
}

// Watch makes the end of ctx interrupt the statement the connection is
// running, and fail every statement started after it (SQLite forgets an
// interrupt that comes while no statement runs). The returned stop must be
// called before the connection is used for anything else; after it
// returns, the connection runs statements again.
func (c *Conn) Watch(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		defer close(done)
		c.ended.Store(true)
		c.wmu.Lock()
		defer c.wmu.Unlock()
		if !c.closing && c.db != 0 {
			// sqlite3_interrupt only sets a flag, and is safe to
			// call while another goroutine runs a statement.
			sqlite3.Xsqlite3_interrupt(c.itls, c.db)
		}
	})
	return func() {
		if !cancel() {
			<-done
		}
		c.ended.Store(false)
	}
}

// Tx runs fn in a transaction begun with begin ("BEGIN", "BEGIN
// IMMEDIATE") while ctx is watched (see Watch). With commit set, it commits
// if fn succeeded and ctx has not ended; otherwise, or when the commit
// fails, it rolls back. An error from an interrupt by ctx is returned as
// ctx's error. A connection still InTransaction afterwards, whose ROLLBACK
// failed, holds a snapshot or the write lock: its owner must close it.
func (c *Conn) Tx(ctx context.Context, begin string, commit bool, fn func() error) error {
	stop := c.Watch(ctx)
	err := c.Exec(begin)
	if err == nil {
		err = fn()
	}
	if err == nil && commit {
		// A context that ended while no statement ran interrupted
		// nothing: it must still keep fn's work from being committed.
		if err = ctx.Err(); err == nil {
			err = c.Exec("COMMIT")
		}
	}
	// The watch ends before ROLLBACK, which an interrupt must not stop.
	stop()
	if c.InTransaction() {
		if rerr := c.Exec("ROLLBACK"); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	var le *Error
	if errors.As(err, &le) && le.Interrupted() && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// usable returns the error that keeps the connection from starting a
// statement: it is closed, or the context Watch watches has ended.
func (c *Conn) usable() error {
	switch {
	case c.tls == nil:
		return errClosed
	case c.ended.Load():
		return errInterrupted
	}
	return nil
}

// InTransaction reports whether a transaction is open on the connection.
func (c *Conn) InTransaction() bool {
	if c.tls == nil {
		return false
	}
	return sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) == 0
}

// err returns SQLite's error for result code rc.
func (c *Conn) err(rc int32) error {
	e := &Error{Code: int(rc)}
	if c.db != 0 {
		e.Code = int(sqlite3.Xsqlite3_extended_errcode(c.tls, c.db))
		e.Msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	if e.Msg == "" {
		e.Msg = libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	}
	return e
}

// ptr turns an address in SQLite's memory, which Go's collector neither
// moves nor frees, into a pointer.
func ptr(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}

// CheckpointMode says how much a WAL checkpoint may wait and do.
type CheckpointMode int32

const (
	// CheckpointNoop copies nothing and only reports the WAL's state.
	CheckpointNoop CheckpointMode = sqlite3.SQLITE_CHECKPOINT_NOOP
	// CheckpointPassive copies what it can without waiting for readers or
	// writers.
	CheckpointPassive CheckpointMode = sqlite3.SQLITE_CHECKPOINT_PASSIVE
	// CheckpointRestart waits (up to the busy timeout) for the writer and
	// the readers, copies the whole WAL, and makes the next writer start
	// the WAL from its beginning.
	CheckpointRestart CheckpointMode = sqlite3.SQLITE_CHECKPOINT_RESTART
)

// Checkpoint copies pages from the database's write-ahead log into the
// database file as mode allows, and returns how many frames the log holds
// and how many of them are in the database file now. A checkpoint that could
// not run because another connection was checkpointing reports
// Busy() on its error.
func (c *Conn) Checkpoint(mode CheckpointMode) (frames, copied int, err error) {
	if c.tls == nil {
		return 0, 0, errClosed
	}
	out := libc.Xmalloc(c.tls, 8)
	if out == 0 {
		return 0, 0, errNoMem
	}
	defer libc.Xfree(c.tls, out)
	counts := (*[2]int32)(ptr(out))
	for attempt := 0; ; attempt++ {
		rc := sqlite3.Xsqlite3_wal_checkpoint_v2(c.tls, c.db, 0, int32(mode), out, out+4)
		if rc != sqlite3.SQLITE_OK {
			return 0, 0, c.err(rc)
		}
		if counts[0] >= 0 || attempt > 0 {
			break
		}
		// A connection that has read nothing yet does not know that the
		// database is in WAL mode, and reports -1: read its header once.
		if err := c.Exec("PRAGMA schema_version"); err != nil {
			return 0, 0, err
		}
	}
	if counts[0] < 0 {
		return 0, 0, &Error{Code: sqlite3.SQLITE_MISUSE, Msg: "the database is not in WAL mode"}
	}
	return int(counts[0]), int(counts[1]), nil
}

// Busy reports whether the error is SQLite's SQLITE_BUSY: another
// connection held a lock for longer than the busy timeout.
func (e *Error) Busy() bool { return e.Code&0xff == sqlite3.SQLITE_BUSY }
