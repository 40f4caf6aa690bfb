package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/internal/cli"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
)

// options is the parsed command line.
type options struct {
	testSize float64
	seed     uint64
	stratify bool
	data     string
	target   string
	testData string

	forest forest.Config

	experiment  string
	runName     string
	trackingURI string
	metrics     map[string]float64
	runID       string
	noTrack     bool
	json        bool
	report      string

	set map[string]bool // flags given on the command line
}

// checked is a flag.Value that parses and checks its text itself, so that a
// bad value yields one line naming the flag and the accepted range rather
// than the flag package's generic message.
type checked struct {
	name  string
	text  string
	parse func(string) error
	fail  *error // where the first failure is kept for parseFlags
}

func (c *checked) String() string { return c.text }

func (c *checked) Set(s string) error {
	c.text = s
	if err := c.parse(s); err != nil {
		if *c.fail == nil {
			*c.fail = cli.Usagef("-%s %s", c.name, err)
		}
		return err
	}
	return nil
}

// maxSeed is scikit-learn's limit on random_state, so a seed means the same
// in a grove run and a Python run logged beside it.
const maxSeed = 1<<32 - 1

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{testSize: 0.2, experiment: cli.TrainExperiment, metrics: map[string]float64{}, set: map[string]bool{}}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var fail error
	value := func(name, def, help string, parse func(string) error) {
		fs.Var(&checked{name: name, text: def, parse: parse, fail: &fail}, name, help)
	}
	intIn := func(dst *int, lo, hi int, rng string) func(string) error {
		return func(s string) error {
			v, err := strconv.Atoi(s)
			if err != nil || v < lo || v > hi {
				return fmt.Errorf("must be %s, got %s", rng, s)
			}
			*dst = v
			return nil
		}
	}

	// The data and the split.
	value("test-size", "0.2", "`share` of rows held out for testing, in (0, 1)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v < 1) {
			return fmt.Errorf("must be in (0, 1), got %s", s)
		}
		o.testSize = v
		return nil
	})
	value("seed", "0", "`seed` of the split and the forest (random_state), in [0, 4294967295]", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v > maxSeed {
			return fmt.Errorf("must be an integer in [0, 4294967295], got %s", s)
		}
		o.seed = v
		return nil
	})
	fs.BoolVar(&o.stratify, "stratify", false, "keep each class's share of rows on both sides of the split")
	fs.StringVar(&o.data, "data", "", "CSV `file` (.csv or .csv.gz) to train on; default the bundled Iris table")
	fs.StringVar(&o.target, "target", "", "`column` of -data holding the class labels; default the last column")
	fs.StringVar(&o.testData, "test-data", "", "CSV `file` to test on instead of splitting -data")

	// The forest, under scikit-learn's meanings.
	o.forest = forest.Config{Trees: 100, MinSamplesLeaf: 1, MaxFeatures: "sqrt", Criterion: forest.Gini}
	value("trees", "100", "`number` of trees (n_estimators), at least 1", intIn(&o.forest.Trees, 1, 1_000_000, "an integer in [1, 1000000]"))
	value("max-depth", "0", "deepest a tree may grow (max_depth), a `depth` of at least 1; 0 for unlimited", intIn(&o.forest.MaxDepth, 0, 1_000_000, "0 (unlimited) or an integer in [1, 1000000]"))
	value("min-samples-leaf", "1", "fewest `samples` a leaf keeps (min_samples_leaf), at least 1", intIn(&o.forest.MinSamplesLeaf, 1, 1_000_000_000, "an integer of at least 1"))
	value("max-features", "sqrt", "`features` tried per split (max_features): sqrt, log2, all, a count, or a fraction in (0, 1]", func(s string) error {
		if err := (forest.Config{MaxFeatures: s}).Validate(); err != nil {
			return fmt.Errorf("must be sqrt, log2, all, a count of at least 1 or a fraction in (0, 1], got %s", s)
		}
		o.forest.MaxFeatures = s
		return nil
	})
	value("criterion", "gini", "split quality `measure` (criterion): gini, entropy or log_loss", func(s string) error {
		switch c := forest.Criterion(s); c {
		case forest.Gini, forest.Entropy, forest.LogLoss:
			o.forest.Criterion = c
			return nil
		}
		return fmt.Errorf("must be gini, entropy or log_loss, got %s", s)
	})
	value("workers", "0", "`trees` grown at once (n_jobs), at least 1; 0 for one per core", intIn(&o.forest.Workers, 0, 4096, "0 (one per core) or an integer in [1, 4096]"))

	// Tracking.
	fs.StringVar(&o.experiment, "experiment", o.experiment, "MLflow experiment `name` to record the run in")
	fs.StringVar(&o.runName, "run-name", "", "`name` of the run; generated when empty")
	value("tracking-uri", "", "`uri` where runs are recorded, sqlite:///mlflow.db or http(s)://host:port; default $MLFLOW_TRACKING_URI, else "+tracking.DefaultURI, func(s string) error {
		if strings.TrimSpace(s) == "" {
			o.trackingURI = "" // the environment's, or the default
			return nil
		}
		if _, err := tracking.ParseURI(s); err != nil {
			var ue *tracking.URIError
			if errors.As(err, &ue) {
				return fmt.Errorf("%s: %s", tracking.Redact(s), ue.Reason)
			}
			return err
		}
		o.trackingURI = s
		return nil
	})
	value("metric", "", "custom metric `name=value` to log with the run; repeatable", func(s string) error {
		name, text, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("must be name=value, got %s", s)
		}
		if err := tracking.ValidateKey("metric", name); err != nil {
			return fmt.Errorf("%s: %s", s, strings.TrimPrefix(err.Error(), "tracking: "))
		}
		v, err := strconv.ParseFloat(text, 64)
		if errors.Is(err, strconv.ErrRange) {
			return fmt.Errorf("%s: the value is out of range: a metric is a 64-bit float, at most about ±1.8e308", s)
		}
		if err != nil {
			return fmt.Errorf("%s: the value must be a number", s)
		}
		if autologMetric(name) {
			return fmt.Errorf("%s: %s is a metric autolog logs itself; pick another name", s, name)
		}
		if _, dup := o.metrics[name]; dup {
			return fmt.Errorf("%s: metric %s given twice", s, name)
		}
		o.metrics[name] = v
		return nil
	})
	fs.StringVar(&o.runID, "run-id", "", "add the -metric values to this existing `run` instead of training")
	fs.BoolVar(&o.noTrack, "no-track", false, "train and evaluate without recording a run")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the summary")
	fs.StringVar(&o.report, "report", "", "also write the experiment's metrics chart (HTML) to `file`")

	// The flag package prints the usage on every error; the command wants
	// one line for an error and the full usage only for -h.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stderr)
			return nil, err
		}
		if fail != nil {
			return nil, fail
		}
		// Unknown flags and missing values: the flag package's words, on
		// one line, with a pointer to the help.
		return nil, cli.Usagef("%s (run with -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("unexpected argument %q (flags only; run with -h)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	return o, o.check()
}

// check rejects flag combinations that cannot mean what the user hoped.
func (o *options) check() error {
	switch {
	case o.testData != "" && o.data == "":
		return cli.Usagef("-test-data needs -data (the training CSV)")
	case o.testData != "" && o.set["test-size"]:
		return cli.Usagef("-test-size and -test-data exclude each other: the test set is the file")
	case o.testData != "" && o.set["stratify"]:
		return cli.Usagef("-stratify and -test-data exclude each other: nothing is split")
	case o.target != "" && o.data == "":
		return cli.Usagef("-target needs -data (Iris has its own target)")
	case o.set["experiment"] && strings.TrimSpace(o.experiment) == "":
		return cli.Usagef("-experiment must not be empty")
	}
	if o.noTrack {
		for _, f := range []string{"experiment", "run-name", "tracking-uri", "metric", "run-id", "report"} {
			if o.set[f] {
				return cli.Usagef("-%s needs tracking, but -no-track is set", f)
			}
		}
	}
	if o.runID != "" {
		if len(o.metrics) == 0 {
			return cli.Usagef("-run-id needs at least one -metric name=value to add")
		}
		var extra []string
		for f := range o.set {
			switch f {
			case "run-id", "metric", "tracking-uri", "json":
			default:
				extra = append(extra, "-"+f)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return cli.Usagef("-run-id adds metrics to an existing run and takes only -metric, -tracking-uri and -json, not %s", strings.Join(extra, " "))
		}
	}
	return nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `usage: train [flags]

train loads Iris (or a CSV file), splits it, trains a random forest,
evaluates it and records the run in MLflow (sqlite:///mlflow.db unless told
otherwise). Add metrics to a finished run with -run-id ID -metric name=value.

flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// autologMetric reports whether name is one of the metrics autolog logs, which
// a custom metric must not overwrite.
func autologMetric(name string) bool {
	for _, prefix := range []string{autolog.PrefixTraining, autolog.PrefixTest} {
		for _, m := range metricOrder {
			if name == prefix+m {
				return true
			}
		}
	}
	return false
}
