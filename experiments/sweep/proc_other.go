//go:build !unix

package main

import (
	"os"
	"os/exec"
)

// ownProcessGroup leaves cmd where it is: a console's Ctrl-C reaches every
// process attached to it.
func ownProcessGroup(cmd *exec.Cmd) {}

// interrupt kills p: a single process cannot be sent a Ctrl-C here.
func interrupt(p *os.Process) error { return p.Kill() }
