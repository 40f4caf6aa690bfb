// Package lite is a small binding to the pure-Go SQLite library
// (modernc.org/sqlite/lib) for sqlstore's long reads: a metric's history and
// pages of runs, where hundreds of thousands of values cross from SQLite to Go.
//
// database/sql and its driver are the right tool for everything else, but on
// such reads they cost as much as SQLite's own work: each connection is opened
// in SQLite's serialized mode, so every step and every column read takes and
// releases a mutex, and every value is boxed into a driver.Value. A Conn here is
// opened without SQLite's mutex (SQLITE_OPEN_NOMUTEX) and is owned by one
// goroutine at a time, which sqlstore's pool of connections guarantees; a Stmt
// reads a column straight into an int64, a float64 or a string, and can show a
// text column's bytes without copying them, so a caller can intern keys that
// repeat on every row.
//
// The binding covers what those reads need and nothing more: open, execute,
// prepare (statements are cached per connection), bind, step, read columns,
// and interrupt from another goroutine when a context ends; and Checkpoint,
// which the driver does not offer, for sqlstore's background checkpoints of
// the write-ahead log. Text handed to SQLite is copied into SQLite's own
// memory, never shared with Go's heap.
package lite
