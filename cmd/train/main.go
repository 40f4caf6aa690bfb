package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/grove-ml/grove/internal/cli"
)

func main() {
	// SIGINT, SIGTERM and SIGHUP end the run KILLED; a second signal ends
	// the command at once.
	ctx, stop := cli.NotifyContext(context.Background())
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	code := command.Exit(cli.WithCause(ctx, err), os.Stderr)
	stop()
	os.Exit(code)
}

// command prints the error that ended a run as one line and picks the exit
// status: 0 done (or help shown), 2 bad command line, 128 plus the signal's
// number when a signal stopped it (130 SIGINT, 143 SIGTERM, 129 SIGHUP;
// saying which run was marked KILLED, where a model was saved), 1 any other
// failure.
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
