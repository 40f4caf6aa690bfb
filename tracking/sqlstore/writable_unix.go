//go:build unix

package sqlstore

import "syscall"

// writable reports whether this process may write the file or folder at
// path, as the system decides for it (root may write any).
func writable(path string) bool {
	const wOK = 2 // W_OK of access(2)
	return syscall.Access(path, wOK) == nil
}
