package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/grove-ml/grove/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// After the first Ctrl-C, a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(command.Exit(err, os.Stderr))
}

// command prints the error that ended a run as one line and picks the exit
// status: 0 done (or help shown), 2 bad command line, 130 interrupted (saying
// which run was marked KILLED, where a model was saved), 1 any other failure.
var command = cli.Command{Name: "train", Interrupted: cli.Canceled, InterruptNote: true}

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
		fmt.Fprintf(stderr, "train: warning: %s\n", cli.OneLine(w))
	}
	if o.json {
		return writeJSON(stdout, j)
	}
	printSummary(stdout, j)
	return nil
}
