package lite

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Stmt is a prepared statement of a Conn. Its column readers are valid after
// Step returned true and until the next Step or Reset.
type Stmt struct {
	c     *Conn
	h     uintptr
	texts []uintptr // SQLite memory holding bound text, freed by Reset
	inUse bool      // a Query runs it, so the cache must not finalize it
}

// Bind binds args to the parameters ?1, ?2, ... in order: int, int64,
// float64, bool, string and nil are accepted.
func (s *Stmt) Bind(args ...any) error {
	for i, a := range args {
		n := int32(i + 1)
		var rc int32
		switch v := a.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(s.c.tls, s.h, n)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(s.c.tls, s.h, n, int64(v))
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(s.c.tls, s.h, n, v)
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(s.c.tls, s.h, n, v)
		case bool:
			var b int64
			if v {
				b = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(s.c.tls, s.h, n, b)
		case string:
			// At least one byte: a null pointer would bind NULL, not "".
			p := libc.Xmalloc(s.c.tls, libc.Tsize_t(len(v)+1))
			if p == 0 {
				return errNoMem
			}
			s.texts = append(s.texts, p)
			copy(unsafe.Slice((*byte)(ptr(p)), len(v)), v)
			rc = sqlite3.Xsqlite3_bind_text(s.c.tls, s.h, n, p, int32(len(v)), 0)
		default:
			return fmt.Errorf("lite: parameter %d: cannot bind a %T", n, a)
		}
		if rc != sqlite3.SQLITE_OK {
			return s.c.err(rc)
		}
	}
	return nil
}

// Step advances to the next row. It returns false when there is none.
func (s *Stmt) Step() (bool, error) {
	switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.h); rc {
	case sqlite3.SQLITE_ROW:
		return true, nil
	case sqlite3.SQLITE_DONE:
		return false, nil
	default:
		return false, s.c.err(rc)
	}
}

// Reset makes the statement ready to run again, with no values bound.
func (s *Stmt) Reset() {
	// Reset repeats the last step's error, which Step has returned already.
	sqlite3.Xsqlite3_reset(s.c.tls, s.h)
	sqlite3.Xsqlite3_clear_bindings(s.c.tls, s.h)
	for _, p := range s.texts {
		libc.Xfree(s.c.tls, p)
	}
	s.texts = s.texts[:0]
}

// Null reports whether column i of the current row is NULL.
func (s *Stmt) Null(i int) bool {
	return sqlite3.Xsqlite3_column_type(s.c.tls, s.h, int32(i)) == sqlite3.SQLITE_NULL
}

// Int64 returns column i of the current row as an integer (NULL is 0).
func (s *Stmt) Int64(i int) int64 {
	return sqlite3.Xsqlite3_column_int64(s.c.tls, s.h, int32(i))
}

// Float64 returns column i of the current row as a float (NULL is 0).
func (s *Stmt) Float64(i int) float64 {
	return sqlite3.Xsqlite3_column_double(s.c.tls, s.h, int32(i))
}

// Text returns column i of the current row as a string (NULL is "").
func (s *Stmt) Text(i int) string {
	return string(s.TextBytes(i))
}

// TextBytes returns column i of the current row as text, in SQLite's memory:
// it must not be modified nor kept beyond the next Step or Reset.
func (s *Stmt) TextBytes(i int) []byte {
	p := sqlite3.Xsqlite3_column_text(s.c.tls, s.h, int32(i))
	n := sqlite3.Xsqlite3_column_bytes(s.c.tls, s.h, int32(i))
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptr(p)), n)
}

// Query runs sql with args and calls fn, when it is not nil, for each row;
// fn must not keep the statement. The statement is reset afterwards.
func (c *Conn) Query(sql string, args []any, fn func(row *Stmt) error) error {
	s, err := c.prepare(sql)
	if err != nil {
		return err
	}
	if s.inUse {
		// fn ran the statement it is reading again: the row would be lost.
		return &Error{Code: sqlite3.SQLITE_MISUSE, Msg: "statement already running: " + sql}
	}
	s.inUse = true
	defer func() {
		s.Reset()
		s.inUse = false
	}()
	if err := s.Bind(args...); err != nil {
		return err
	}
	for {
		more, err := s.Step()
		if err != nil || !more {
			return err
		}
		if fn != nil {
			if err := fn(s); err != nil {
				return err
			}
		}
	}
}
