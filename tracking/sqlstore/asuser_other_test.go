//go:build !unix

package sqlstore

import "testing"

// reranAsUser skips the test: outside Unix, file modes do not make a file
// read-only for SQLite in the same way.
func reranAsUser(t *testing.T) bool {
	t.Helper()
	t.Skip("read-only files are tested on Unix only")
	return true
}
