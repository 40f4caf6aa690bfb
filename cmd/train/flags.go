package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
)

// usageError is a bad command line: main prints it as one line and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// options is the parsed command line.
type options struct {
	testSize float64
	seed     uint64
	stratify bool
	data     string
	target   string
	testData string
	noTrack  bool
	json     bool

	set map[string]bool // flags given on the command line
}

// checked is a flag.Value that parses and checks its text itself, so that a
// bad value yields one line naming the flag and the accepted range rather
// than the flag package's generic message.
type checked struct {
	name  string
	text  string
	parse func(string) error
	fail  *error // where the first failure is kept, for newFlags' caller
}

func (c *checked) String() string { return c.text }

func (c *checked) Set(s string) error {
	c.text = s
	if err := c.parse(s); err != nil {
		if *c.fail == nil {
			*c.fail = usagef("-%s %s", c.name, err)
		}
		return err
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{testSize: 0.2, set: map[string]bool{}}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var fail error
	value := func(name, def, help string, parse func(string) error) {
		fs.Var(&checked{name: name, text: def, parse: parse, fail: &fail}, name, help)
	}

	value("test-size", "0.2", "`share` of rows held out for testing, in (0, 1)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && v < 1) {
			return fmt.Errorf("must be in (0, 1), got %s", s)
		}
		o.testSize = v
		return nil
	})
	value("seed", "0", "`seed` for the split and the forest, an integer in [0, 2^64)", func(s string) error {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("must be an integer in [0, 2^64), got %s", s)
		}
		o.seed = v
		return nil
	})
	fs.BoolVar(&o.stratify, "stratify", false, "keep each class's share of rows on both sides of the split")
	fs.StringVar(&o.data, "data", "", "CSV `file` (.csv or .csv.gz) to train on; default the bundled Iris table")
	fs.StringVar(&o.target, "target", "", "`column` of -data holding the class labels; default the last column")
	fs.StringVar(&o.testData, "test-data", "", "CSV `file` to test on instead of splitting -data")
	fs.BoolVar(&o.noTrack, "no-track", false, "train and evaluate without recording a run")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of the summary")

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
		return nil, usagef("%s (run with -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (flags only; run with -h)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })

	switch {
	case o.testData != "" && o.data == "":
		return nil, usagef("-test-data needs -data (the training CSV)")
	case o.testData != "" && o.set["test-size"]:
		return nil, usagef("-test-size and -test-data exclude each other: the test set is the file")
	case o.testData != "" && o.set["stratify"]:
		return nil, usagef("-stratify and -test-data exclude each other: nothing is split")
	case o.target != "" && o.data == "":
		return nil, usagef("-target needs -data (Iris has its own target)")
	}
	return o, nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `usage: train [flags]

train loads Iris (or a CSV file), splits it, trains a random forest,
evaluates it and records the run in MLflow.

flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
