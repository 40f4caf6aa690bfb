// Package lite is a small binding to the pure-Go SQLite library
// (modernc.org/sqlite/lib) for sqlstore's hot paths: long reads (a metric's
// history, pages of runs), where hundreds of thousands of values cross from
// SQLite to Go, and batches of metric points, where tens of thousands cross
// the other way.
//
// database/sql and its driver are the right tool for everything else, but
// on these paths they cost up to as much as SQLite's own work: each
// connection is opened in SQLite's serialized mode, so every step, bind and
// column read takes and releases a mutex, and every value is converted and
// boxed into a driver.Value. A Conn here is opened without SQLite's mutex
// (SQLITE_OPEN_NOMUTEX) and is used by one goroutine at a time, which
// sqlstore guarantees; a Stmt reads a column straight into an int64, a
// float64 or a string, and can show a text column's bytes without copying
// them, so a caller can intern keys that repeat on every row.
//
// The binding covers what those paths need and nothing more: open, execute,
// prepare (statements are cached per connection), bind, step, read columns,
// and interrupt from another goroutine when a context ends; and Checkpoint,
// which the driver does not offer, for sqlstore's background checkpoints of
// the write-ahead log. Text handed to SQLite is copied into SQLite's own
// memory, never shared with Go's heap.
package lite
