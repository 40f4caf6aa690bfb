package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// After the first Ctrl-C, a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err as one line and maps it to the command's exit status:
// 0 done (or help shown), 2 bad command line, 130 interrupted, 1 any other
// failure.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "train: %s\n", oneLine(err.Error()))
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "train: interrupted%s\n", interruptNote(err))
		return 130
	default:
		fmt.Fprintf(stderr, "train: %s\n", oneLine(err.Error()))
		return 1
	}
}

// interruptNote keeps what an interrupted run's error says beyond the bare
// cancellation (which run was marked KILLED, where a model was saved).
func interruptNote(err error) string {
	msg := oneLine(err.Error())
	if msg == context.Canceled.Error() {
		return ""
	}
	return ": " + msg
}

// oneLine keeps a wrapped multi-line message to the one line promised.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.runID != "" {
		return addMetrics(ctx, o, stdout)
	}
	train, test, j, err := load(ctx, o)
	if err != nil {
		return err
	}
	if err := fit(ctx, o, train, test, j, stderr); err != nil {
		return err
	}
	for _, w := range j.Warnings {
		fmt.Fprintf(stderr, "train: warning: %s\n", oneLine(w))
	}
	if o.json {
		return writeJSON(stdout, j)
	}
	printSummary(stdout, j)
	return nil
}
