//go:build unix

package forest

import (
	"syscall"
	"time"
)

// cpuTime is the process's user plus system time: on a shared machine it
// varies far less with other load than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
