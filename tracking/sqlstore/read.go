package sqlstore

import (
	"context"
	"errors"
	"sync"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

// readers keeps idle read connections to the database.
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
// Eight (one per client of the server's load benchmark) saved a little CPU
// when paging through runs but raised the server's peak memory from about
// 100 to 160 MiB, each connection keeping its own page cache.
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
	c, err := openConn(p.path, true)
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

// reader runs the queries of one read transaction on a read connection.
type reader struct {
	tx
	rc *readConn // the same connection, with the order it keeps
}

// read runs fn in one read transaction, so that its queries see one
// snapshot of the database. The end of ctx interrupts the running query.
func (s *Store) read(ctx context.Context, fn func(r reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.readers.get()
	if err != nil {
		return err
	}
	err = c.Tx(ctx, "BEGIN", false, func() error { return fn(reader{tx{c.Conn}, c}) })
	// A connection left inside a transaction would pin an old snapshot.
	if c.InTransaction() {
		c.Close()
	} else {
		s.readers.put(c)
	}
	return err
}
