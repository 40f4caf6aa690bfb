// Package lite is a small binding to the pure-Go SQLite library
// (modernc.org/sqlite/lib), the one sqlstore runs every statement on.
//
// A Conn is opened without SQLite's per-call mutex (SQLITE_OPEN_NOMUTEX)
// and is used by one goroutine at a time, which sqlstore guarantees; only
// the interrupt of Watch comes from another goroutine. Values are bound
// and read without database/sql's conversions and boxing: a Stmt reads a
// column straight into an int64, a float64 or a string, and can show a
// text column's bytes without copying them.
//
// The binding covers what sqlstore needs and nothing more: Open with
// pragmas, Exec, Query (prepare, bind, step, read columns, reset), Tx (a
// transaction watched by a context), and Checkpoint, for sqlstore's
// background checkpoints of the write-ahead log.
//
// # Memory
//
// What a call keeps after it returns, outside Go's heap, in SQLite's:
//
//   - Open: the connection, with two thread states of the C library's Go
//     runtime, and its page cache, which grows with the pages read up to
//     the connection's cache_size; all of it until Close.
//   - Query: the compiled statement, cached per connection for the next
//     Query of the same SQL; at most 64 are kept, and past that the ones
//     no Query is running are finalized. Text bound to a statement is
//     copied into SQLite's memory and freed when the Query ends.
//   - Exec, Tx and Checkpoint keep nothing.
//
// A row's TextBytes point into SQLite's memory and are valid only until
// the next row; everything else a Stmt returns is Go's.
package lite
