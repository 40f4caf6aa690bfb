//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, out of reach of
// the signals a terminal sends to its foreground group.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interrupt sends p the SIGINT a Ctrl-C would.
func interrupt(p *os.Process) error { return p.Signal(os.Interrupt) }
