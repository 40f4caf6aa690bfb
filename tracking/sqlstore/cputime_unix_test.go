//go:build unix

package sqlstore

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used. Benchmarks report it
// beside wall time because grove's build machine is shared: CPU time per
// operation is what a quiet machine would see as wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
