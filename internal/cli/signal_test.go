//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestNotifyContext sends this process each signal a command stops on:
// the context ends with the signal as its cause, an interruption by the
// status the shell gives it.
func TestNotifyContext(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(SignalName(sig), func(t *testing.T) {
			ctx, stop := NotifyContext(context.Background())
			defer stop()
			if err := syscall.Kill(os.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the context was not cancelled")
			}
			var se *SignalError
			if !errors.As(context.Cause(ctx), &se) || se.Signal != sig {
				t.Fatalf("cause %v, want %s", context.Cause(ctx), SignalName(sig))
			}
			if !Canceled(WithCause(ctx, ctx.Err())) {
				t.Error("a signal's error is not an interruption")
			}
			if want := 128 + int(sig); se.ExitCode() != want {
				t.Errorf("exit %d, want %d", se.ExitCode(), want)
			}
		})
	}
}
