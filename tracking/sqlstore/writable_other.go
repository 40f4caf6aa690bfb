//go:build !unix

package sqlstore

// writable reports true: outside Unix, SQLite's own error tells.
func writable(string) bool { return true }
