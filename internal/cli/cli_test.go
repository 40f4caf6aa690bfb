package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestExit(t *testing.T) {
	train := Command{Name: "train", Interrupted: Canceled, InterruptNote: true}
	report := Command{Name: "report"}
	stopped := true
	sweep := Command{Name: "sweep", Interrupted: func(error) bool { return stopped }, Verbatim: true}
	wrapped := fmt.Errorf("run abc marked KILLED:\n  %w", context.Canceled)
	tests := []struct {
		name string
		cmd  Command
		err  error
		code int
		out  string
	}{
		{"nil", train, nil, 0, ""},
		{"help", train, fmt.Errorf("parse: %w", flag.ErrHelp), 0, ""},
		{"usage", train, Usagef("-trees must be %s,\n got  0", "an integer"), 2, "train: -trees must be an integer, got 0\n"},
		{"usage wrapped", report, fmt.Errorf("x: %w", Usagef("bad")), 2, "report: x: bad\n"},
		{"usage verbatim", sweep, Usagef("a\nb"), 2, "sweep: a\nb\n"},
		{"usage before interrupt", sweep, Usagef("-parallel"), 2, "sweep: -parallel\n"},
		{"failure", train, errors.New("open x:\n  no such file"), 1, "train: open x: no such file\n"},
		{"own name not twice", report, errors.New("report: no runs"), 1, "report: no runs\n"},
		{"own name only at the start", report, errors.New("chart: report: no runs"), 1, "report: chart: report: no runs\n"},
		{"interrupt bare", train, context.Canceled, 130, "train: interrupted\n"},
		{"interrupt noted", train, wrapped, 130, "train: interrupted: run abc marked KILLED: context canceled\n"},
		{"interrupt unnoted", sweep, errors.New("build: signal: interrupt"), 130, "sweep: interrupted\n"},
		{"SIGINT", train, WithCause(stoppedBy(syscall.SIGINT), context.Canceled), 130, "train: interrupted by SIGINT\n"},
		{"SIGTERM noted", train, WithCause(stoppedBy(syscall.SIGTERM), wrapped), 143, "train: interrupted by SIGTERM: run abc marked KILLED: context canceled\n"},
		{"SIGHUP as cause", train, fmt.Errorf("run abc marked KILLED: %w", &SignalError{syscall.SIGHUP}), 129, "train: interrupted by SIGHUP: run abc marked KILLED\n"},
		{"SIGTERM unnoted", sweep, WithCause(stoppedBy(syscall.SIGTERM), errors.New("2 of 3 runs failed")), 143, "sweep: interrupted by SIGTERM\n"},
		{"cancelled without a signal", train, WithCause(stoppedBy(nil), context.Canceled), 130, "train: interrupted\n"},
		{"no interrupt status", report, context.Canceled, 1, "report: context canceled\n"},
		{"failure verbatim", Command{Name: "sweep", Verbatim: true}, errors.New("1 of 2 runs failed: x\ntrain: y"), 1, "sweep: 1 of 2 runs failed: x\ntrain: y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if code := tt.cmd.Exit(tt.err, &b); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if b.String() != tt.out {
				t.Errorf("printed %q, want %q", b.String(), tt.out)
			}
		})
	}
}

// stoppedBy returns a context cancelled as NotifyContext cancels it on sig,
// or cancelled plainly when sig is nil.
func stoppedBy(sig os.Signal) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	if sig == nil {
		cancel(nil)
	} else {
		cancel(&SignalError{Signal: sig})
	}
	return ctx
}

func TestOneLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"one line", "one line", "one line"},
		{"folded", "  a\n\tb  c \r\n", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OneLine(tt.in); got != tt.want {
				t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func ExampleCommand_Exit() {
	cmd := Command{Name: "train", Interrupted: Canceled, InterruptNote: true}
	code := cmd.Exit(Usagef("-trees must be at least 1, got %d", 0), os.Stdout)
	fmt.Println("exit", code)
	code = cmd.Exit(context.Canceled, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// train: -trees must be at least 1, got 0
	// exit 2
	// train: interrupted
	// exit 130
}
