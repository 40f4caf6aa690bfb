package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// Signals are the signals that stop a command, which then ends its run
// KILLED: SIGINT (Ctrl-C), SIGTERM (what timeout, docker stop, Slurm and
// Kubernetes send) and SIGHUP (the terminal was closed).
var Signals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// SignalError is the cause (context.Cause) of a context that NotifyContext
// cancelled: the signal that stopped the command. It unwraps to
// context.Canceled, so it is an interruption wherever one is looked for.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return SignalName(e.Signal) + " received" }

// Unwrap returns context.Canceled.
func (e *SignalError) Unwrap() error { return context.Canceled }

// ExitCode is the status a command stopped by the signal exits with, the
// shell's convention for a process the signal ended: 128 plus its number
// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
func (e *SignalError) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok && s > 0 && s < 128 {
		return 128 + int(s)
	}
	return ExitInterrupted
}

// SignalName names a signal as kill -l and the shells do: SIGINT, SIGTERM.
func SignalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// NotifyContext returns a copy of parent that the first of Signals cancels,
// with a *SignalError as its cause, and the function that releases it. Once a
// signal has arrived, the signals have their default effect again, so a
// second one ends a command that is slow to stop at once.
func NotifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, Signals...)
	go func() {
		defer signal.Stop(ch)
		select {
		case s := <-ch:
			cancel(&SignalError{Signal: s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// WithCause returns err with the signal that cancelled ctx, if one did,
// attached for Exit to name and to pick the exit status by; err as it is
// otherwise. A command whose work returns ctx.Err() (which is
// context.Canceled, whatever the signal) passes its error through it.
func WithCause(ctx context.Context, err error) error {
	var se *SignalError
	if err == nil || errors.As(err, &se) || !errors.As(context.Cause(ctx), &se) {
		return err
	}
	return &signaled{err: err, sig: se}
}

// signaled is an error that a signal caused.
type signaled struct {
	err error
	sig *SignalError
}

func (e *signaled) Error() string   { return e.err.Error() }
func (e *signaled) Unwrap() []error { return []error{e.err, e.sig} }
