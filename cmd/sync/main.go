package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/grove-ml/grove/internal/cli"
	"github.com/grove-ml/grove/tracking"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

func main() {
	ctx, stop := cli.NotifyContext(context.Background())
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	code := command.Exit(cli.WithCause(ctx, err), os.Stderr)
	stop()
	os.Exit(code)
}

// command prints the error that ended a sync as one line; an interrupted
// sync says that a rerun finishes it.
var command = cli.Command{Name: "sync", Interrupted: cli.Canceled, InterruptNote: true}

type options struct {
	from, to     string
	experiment   string
	dryRun       bool
	deleteSource bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.from, "from", "", "the tracking URI to copy from (sqlite:///path or http(s)://server)")
	fs.StringVar(&o.to, "to", "", "the tracking URI to copy to")
	fs.StringVar(&o.experiment, "experiment", "", "copy only this experiment (default: every active one)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list what would be copied, and copy nothing")
	fs.BoolVar(&o.deleteSource, "delete-source", false, "delete each source run once its copy is complete")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: sync -from URI -to URI [-experiment NAME] [-dry-run] [-delete-source]\n\nCopies experiments, runs, artifacts and logged models from one tracking store to another.\nA second sync copies nothing; an interrupted one is finished by the next.\n\nFlags:")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, cli.Usagef("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return nil, cli.Usagef("unexpected argument %q: every setting is a flag", fs.Arg(0))
	case strings.TrimSpace(o.from) == "":
		return nil, cli.Usagef("-from is required: the tracking URI to copy from")
	case strings.TrimSpace(o.to) == "":
		return nil, cli.Usagef("-to is required: the tracking URI to copy to")
	case o.from == o.to:
		return nil, cli.Usagef("-from and -to are both %s: nothing to copy", tracking.Redact(o.from))
	case o.dryRun && o.deleteSource:
		return nil, cli.Usagef("-dry-run and -delete-source exclude each other")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && ctx.Err() != nil {
			// Stopped by a signal: partial copies wait for the next sync.
			err = fmt.Errorf("run the same command again to finish: %w", context.Cause(ctx))
		}
	}()
	// A source database that is not there is a typo, not an empty store
	// to create.
	if loc, err := tracking.ParseURI(o.from); err == nil && loc.Kind == tracking.KindSQLite {
		if _, err := os.Stat(loc.Path); err != nil {
			return cli.Usagef("-from: no database at %s", loc.Path)
		}
	}
	from, err := tracking.Open(ctx, o.from)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	defer from.Close()
	to, err := tracking.Open(ctx, o.to)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	defer to.Close()
	opts := gsync.Options{Experiment: o.experiment, DryRun: o.dryRun, DeleteSource: o.deleteSource}
	line := newLine(stderr)
	if o.dryRun {
		opts.Progress = stdout
	} else if line != nil {
		opts.Progress = line
	}
	sum, err := gsync.Sync(ctx, from.Store(), to.Store(), opts)
	if line != nil {
		line.clear()
	}
	if err != nil {
		return fmt.Errorf("%w (%d runs copied; run the same command again to finish)", err, sum.Runs)
	}
	verb := "copied"
	if o.dryRun {
		verb = "would copy"
	}
	fmt.Fprintf(stdout, "%s %s from %s to %s\n", verb, sum, from.URI(), to.URI())
	return nil
}
