// Command sweep trains grove's random forest on Iris once per test size,
// 0.3, 0.2, 0.1, 0.05 and 0.01 by default, each run recorded into one MLflow
// experiment, so the runs can be compared side by side in the MLflow UI and in
// the metrics chart:
//
//	go run ./experiments/sweep
//	go run ./experiments/sweep -parallel 3 -experiment iris_sweep -- -trees 300 -stratify
//
// Each run is the train command itself (built once from ./cmd/train, or
// given with -train), so a sweep's runs are exactly what a user running
// `go run ./cmd/train -test-size S` gets. With -parallel N, N runs write to
// the same mlflow.db at once; the store serialises their writes. Flags after
// "--" go to every run. When every run has ended, the sweep redraws the
// experiment's chart onto the last run (metrics_report.html) so that one
// shows all of them, and writes it to -report too when asked.
//
// SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the sweep: every training still
// going gets one SIGINT, marks its run KILLED and exits; the sweep waits for
// them (a training that takes more than 5 s is killed), starts no more, and
// exits with 128 plus the signal's number (130, 143, 129).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/grove-ml/grove/internal/cli"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/report"
)

func main() {
	// SIGINT, SIGTERM and SIGHUP reach every training as SIGINT (see
	// trainOnce); a second signal ends the sweep at once.
	ctx, stop := cli.NotifyContext(context.Background())
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	// Any failure after a signal counts as the interrupt, whatever the
	// runs or the build said as they died; errors print as they are
	// because they carry the failed runs' own stderr.
	command := cli.Command{Name: "sweep", Interrupted: func(error) bool { return ctx.Err() != nil }, Verbatim: true}
	code := command.Exit(cli.WithCause(ctx, err), os.Stderr)
	stop()
	os.Exit(code)
}

// stopGrace is how long a training has to mark its run KILLED after the
// sweep passes a signal on, before it is killed: far more than a store on
// the local disk needs, and within the grace docker stop and Kubernetes
// give the sweep itself (10 s and 30 s).
const stopGrace = 5 * time.Second

// DefaultSizes are the test sizes users sweep over.
var DefaultSizes = []float64{0.3, 0.2, 0.1, 0.05, 0.01}

// result is one run as the train command's -json reported it.
type result struct {
	size float64
	out  map[string]any
	err  error
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // one line for an error; the flags only for -h
	fs.Usage = func() {}     // the flag package calls it on every error too
	sizesFlag := fs.String("sizes", "0.3,0.2,0.1,0.05,0.01", "comma-separated test `sizes`, each in (0, 1)")
	parallel := fs.Int("parallel", 1, "`runs` at once, at least 1")
	experiment := fs.String("experiment", "test_size_sweep", "MLflow experiment `name` for the runs")
	uri := fs.String("tracking-uri", "", "where runs are recorded; default $MLFLOW_TRACKING_URI, else "+tracking.DefaultURI)
	seed := fs.Uint64("seed", 0, "`seed` of every run's split and forest")
	trainBin := fs.String("train", "", "train command `binary` to run; default: build ./cmd/train of this source tree")
	reportPath := fs.String("report", "", "also write the experiment's metrics chart (HTML) to `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: sweep [flags] [-- train flags]")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return err
		}
		return cli.Usagef("%s (run with -h for the flags)", err)
	}
	extra := fs.Args() // after "--": flags for every run
	sizes, err := parseSizes(*sizesFlag)
	if err != nil {
		return err
	}
	if *parallel < 1 {
		return cli.Usagef("-parallel must be at least 1, got %d", *parallel)
	}
	for _, a := range extra {
		switch strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-") {
		case "test-size", "experiment", "tracking-uri", "json", "no-track", "run-name", "seed", "run-id":
			return cli.Usagef("%s is set by the sweep itself; use the sweep's own flag", a)
		}
	}

	// One client up front: the experiment exists before the runs race to
	// it, and the same URI (with $MLFLOW_TRACKING_URI resolved here) goes to
	// every run.
	resolved := tracking.ResolveURI(*uri)
	client, err := tracking.Open(ctx, resolved)
	if err != nil {
		return err
	}
	defer client.Close()
	exp, err := client.GetOrCreateExperiment(ctx, *experiment)
	if err != nil {
		return err
	}

	bin := *trainBin
	if bin == "" {
		dir, err := os.MkdirTemp("", "grove-sweep-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if bin, err = buildTrain(ctx, dir); err != nil {
			return err
		}
	}

	results := make([]result, len(sizes))
	sem := make(chan struct{}, *parallel)
	var wg sync.WaitGroup
	for i, size := range sizes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = trainOnce(ctx, bin, resolved, *experiment, *seed, size, extra)
		}()
	}
	wg.Wait()

	var failed []string
	var chartErr error
	last := ""
	for _, r := range results {
		if r.err != nil {
			failed = append(failed, fmt.Sprintf("test size %g: %v", r.size, r.err))
			continue
		}
		if id, _ := r.out["run_id"].(string); id != "" {
			last = id
		}
	}
	printTable(stdout, exp.Name, exp.ID, resolved, results)

	// Every run drew the chart when it ended, but runs that ended together
	// could not see each other; redraw it now that all have ended.
	if last != "" {
		page, err := report.Log(ctx, client.Store(), last, report.Options{})
		if err != nil {
			chartErr = fmt.Errorf("the runs are recorded, but the metrics chart is not: %w", err)
		} else {
			fmt.Fprintf(stdout, "chart:      metrics_report.html of run %s\n", last)
			if *reportPath != "" {
				if err := os.WriteFile(*reportPath, page, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "chart file: %s\n", *reportPath)
			}
		}
	}
	if loc, err := tracking.ParseURI(resolved); err == nil && loc.Kind == tracking.KindSQLite {
		fmt.Fprintf(stdout, "look at it: mlflow ui --backend-store-uri %s\n", resolved)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d runs failed: %s", len(failed), len(sizes), strings.Join(failed, "; "))
	}
	return chartErr
}

func parseSizes(s string) ([]float64, error) {
	var sizes []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0 && v < 1) {
			return nil, cli.Usagef("-sizes: every size must be in (0, 1), got %q", strings.TrimSpace(f))
		}
		sizes = append(sizes, v)
	}
	return sizes, nil
}

// buildTrain compiles ./cmd/train of the source tree this program was built
// from, once, so every run starts at once instead of compiling.
func buildTrain(ctx context.Context, dir string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "cmd", "train")); !ok || err != nil {
		return "", errors.New("cannot find ./cmd/train beside this program's source; pass the train binary with -train")
	}
	bin := filepath.Join(dir, "train")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/train")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build ./cmd/train: %v: %s", err, bytes.TrimSpace(out))
	}
	return bin, nil
}

func trainOnce(ctx context.Context, bin, uri, experiment string, seed uint64, size float64, extra []string) result {
	r := result{size: size}
	sz := strconv.FormatFloat(size, 'g', -1, 64)
	args := append([]string{
		"-test-size", sz,
		"-seed", strconv.FormatUint(seed, 10),
		"-experiment", experiment,
		"-run-name", "test_size=" + sz,
		"-tracking-uri", uri,
		"-json",
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	// When the sweep is stopped, each training gets one SIGINT, marks its
	// run KILLED and exits; one that does not within stopGrace is killed.
	// In a process group of its own, a training does not also get the
	// terminal's Ctrl-C, which as a second signal would kill it at once.
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = stopGrace
	ownProcessGroup(cmd)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		r.err = fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
		return r
	}
	if err := json.Unmarshal(out.Bytes(), &r.out); err != nil {
		r.err = fmt.Errorf("train printed no JSON object: %v", err)
	}
	return r
}

func printTable(w io.Writer, expName, expID, uri string, results []result) {
	fmt.Fprintf(w, "experiment %s (id %s) in %s\n\n", expName, expID, tracking.Redact(uri))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "test size\ttrain\ttest\ttest accuracy\ttest f1\ttest log loss\trun")
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(tw, "%g\t-\t-\t-\t-\t-\tfailed\n", r.size)
			continue
		}
		fmt.Fprintf(tw, "%g\t%v\t%v\t%s\t%s\t%s\t%v (id %v)\n", r.size, r.out["train_rows"], r.out["test_rows"],
			f4(r.out["test_accuracy_score"]), f4(r.out["test_f1_score"]), f4(r.out["test_log_loss"]), r.out["run_name"], r.out["run_id"])
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func f4(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', 4, 64)
	}
	return "-"
}
