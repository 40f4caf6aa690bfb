package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/grove-ml/grove/internal/cli"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(command.Exit(err, os.Stderr))
}

// command prints the error that ended the report as one line and picks the
// exit status: 0 done (or help shown), 2 bad command line, 1 any other
// failure, an interrupt included.
var command = cli.Command{Name: "report"}

type options struct {
	experiment, experimentID string
	trackingURI              string
	out                      string
	x, title                 string
	attach                   string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.experiment, "experiment", "", "MLflow experiment `name` to chart (default random_forest, as cmd/train records)")
	fs.StringVar(&o.experimentID, "experiment-id", "", "MLflow experiment `id` to chart, instead of -experiment")
	fs.StringVar(&o.trackingURI, "tracking-uri", "", "`uri` of the runs: sqlite:///file.db or http(s)://server; default $MLFLOW_TRACKING_URI, else "+tracking.DefaultURI)
	fs.StringVar(&o.out, "o", report.ArtifactName, "write the page to `file`; - for standard output")
	fs.StringVar(&o.x, "x", report.XAuto, "x `axis`: auto, step, run (start order) or param:KEY")
	fs.StringVar(&o.title, "title", "", "page heading; default \"Metrics of experiment NAME\"")
	fs.StringVar(&o.attach, "attach", "", "also attach the page to run `id` as "+report.ArtifactName+" (charts that run's experiment)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: report [flags]\n\nDraws every metric of every run of an MLflow experiment as one offline HTML page.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("unexpected argument %q: every input is a flag", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["experiment"] && strings.TrimSpace(o.experiment) == "":
		return nil, cli.Usagef("-experiment must not be empty")
	case set["experiment"] && set["experiment-id"]:
		return nil, cli.Usagef("give -experiment or -experiment-id, not both")
	case o.attach != "" && (set["experiment"] || set["experiment-id"]):
		return nil, cli.Usagef("-attach charts the run's own experiment; drop -experiment and -experiment-id")
	case strings.TrimSpace(o.out) == "":
		return nil, cli.Usagef("-o must name a file, or - for standard output")
	}
	if err := (report.Options{X: o.x}).Validate(); err != nil {
		return nil, cli.Usagef("-x must be auto, step, run or param:KEY, got %q", o.x)
	}
	if !set["experiment"] && !set["experiment-id"] {
		o.experiment = cli.TrainExperiment
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	uri := tracking.ResolveURI(o.trackingURI)
	loc, err := tracking.ParseURI(uri)
	if err != nil {
		return cli.Usagef("-tracking-uri: %v", err)
	}
	if loc.Kind == tracking.KindSQLite {
		// Opening would create an empty database; a report only reads.
		if _, err := os.Stat(loc.Path); err != nil {
			return fmt.Errorf("no MLflow database at %s (set -tracking-uri or MLFLOW_TRACKING_URI)", loc.Path)
		}
	}
	client, err := tracking.Open(ctx, uri)
	if err != nil {
		return err
	}
	defer client.Close()
	st := client.Store()
	ropts := report.Options{X: o.x, Title: o.title}

	var exp *store.Experiment
	if o.attach != "" {
		r, err := st.GetRun(ctx, o.attach)
		if err != nil {
			return fmt.Errorf("run %s at %s: %w", o.attach, client.URI(), err)
		}
		if exp, err = st.GetExperiment(ctx, r.Info.ExperimentID); err != nil {
			return fmt.Errorf("experiment of run %s: %w", o.attach, err)
		}
	} else {
		if o.experimentID != "" {
			exp, err = st.GetExperiment(ctx, o.experimentID)
		} else {
			exp, err = st.GetExperimentByName(ctx, o.experiment)
		}
		if err != nil {
			what := "named " + o.experiment
			if o.experimentID != "" {
				what = "with id " + o.experimentID
			}
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no experiment %s at %s", what, client.URI())
			}
			return fmt.Errorf("experiment %s at %s: %w", what, client.URI(), err)
		}
	}
	d, err := report.Collect(ctx, st, exp.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, d, ropts); err != nil {
		return err
	}
	page := buf.Bytes()
	if o.attach != "" {
		if err := report.Attach(ctx, st, o.attach, page); err != nil {
			return err
		}
	}

	if o.out == "-" {
		_, err := stdout.Write(page)
		return err
	}
	if err := os.WriteFile(o.out, page, 0o644); err != nil {
		return fmt.Errorf("write page: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s of experiment %q (id %s)", o.out, d.Summary(), exp.Name, exp.ID)
	if o.attach != "" {
		fmt.Fprintf(stdout, "; attached to run %s as %s", o.attach, report.ArtifactName)
	}
	fmt.Fprintln(stdout)
	return nil
}
