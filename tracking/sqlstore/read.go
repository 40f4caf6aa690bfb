package sqlstore

import (
	"context"
	"errors"
	"sync"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

// Long reads (a metric's history, pages of runs with their data) bypass
// database/sql: they run on lite connections, which read columns straight
// into Go values without SQLite's per-call mutex or the driver's boxing.
// Everything else, and every write, goes through database/sql.

// readers keeps idle lite connections to the database for long reads.
type readers struct {
	path string

	mu     sync.Mutex
	idle   []*readConn
	closed bool
}

// readConn is a read connection with the run order SearchRuns found last on
// it, which the next page of the same listing can reuse.
type readConn struct {
	*lite.Conn
	order *runOrder
}

// maxIdleReaders is how many idle read connections a Store keeps open.
const maxIdleReaders = 4

var errClosed = errors.New("store is closed")

func (p *readers) get() (*readConn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	// query_only guards the file against a mistake here; the page cache
	// matches the driver connections' (see dsn).
	c, err := lite.Open(p.path, busyTimeout, "query_only = 1", "cache_size = -32768")
	if err != nil {
		return nil, err
	}
	return &readConn{Conn: c}, nil
}

func (p *readers) put(c *readConn) {
	p.mu.Lock()
	if p.closed || len(p.idle) >= maxIdleReaders {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

func (p *readers) close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	var err error
	for _, c := range idle {
		err = errors.Join(err, c.Close())
	}
	return err
}

// reader runs the queries of one read transaction.
type reader struct{ c *readConn }

// readLong runs fn in one read transaction, so that its queries see one
// snapshot of the database. The end of ctx interrupts the running query.
func (s *Store) readLong(ctx context.Context, fn func(r reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.readers.get()
	if err != nil {
		return err
	}
	err = c.Tx(ctx, "BEGIN", false, func() error { return fn(reader{c}) })
	// A connection left inside a transaction would pin an old snapshot.
	if c.InTransaction() {
		c.Close()
	} else {
		s.readers.put(c)
	}
	return err
}

// query runs q with args and calls fn with each row. fn reads the row's
// columns from the statement and must not keep them.
func (r reader) query(q string, args []any, fn func(row *lite.Stmt) error) error {
	return r.c.Query(q, args, fn)
}
