// Package memstore is an in-memory store.Store for grove's tests: a real
// implementation kept in maps, so the client and the report are tested
// through the same interface the SQLite and REST stores meet, without a
// database file.
//
// It keeps the MLflow rules callers rely on, as the SQLite store does:
// params never change value, tags are replaced, every metric point is kept
// and a run's latest value of a metric is the point with the largest
// (step, timestamp, value), histories come back in that order, SearchRuns
// answers MLflow's filters, orders, view types and page tokens through
// package search (newest start time first, run id breaking ties, unless
// told otherwise), and artifact paths may not leave their root. Restore
// loads runs as another store recorded them, ids included. Run ids are derived
// from the experiment, name and start time, so tests that record the same
// runs get the same ids whatever the order.
//
// It is a test store: nothing is persisted, and faults (a lost creation race,
// a full disk) are injected by tests wrapping it, not here. Its own test
// runs the same calls against it and the SQLite store and compares.
package memstore
