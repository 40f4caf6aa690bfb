// Command bench times grove's random forest, and golearn's as a baseline,
// on the shared benchmark splits, the same way the scikit-learn and ranger
// anchors in ../shared/bench/tools do: one timed fit and predict, CSV
// parsing not timed, one JSON line out.
//
//	go run . -tool grove -train TRAIN.csv -test TEST.csv [-trees 100] [-seed 0] [-workers 2]
//	go run . -tool golearn -train TRAIN.csv -test TEST.csv [-trees 100] [-features all|sqrt]
//	go run . -summarize < runs.jsonl     # median table of JSON lines from any tool
//	go run . -table DIR [-tools grove,golearn] [-runs 3]   # run and summarise
//
// It is a module of its own so that golearn, and the cgo some of its
// packages need, never become a dependency of grove.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models/forest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// result is one timed run, in the anchors' JSON shape.
type result struct {
	Tool       string  `json:"tool"`
	Version    string  `json:"version"`
	Dataset    string  `json:"dataset"`
	Threads    int     `json:"threads"`
	Trees      int     `json:"trees"`
	Seed       int     `json:"seed"`
	NTrain     int     `json:"n_train"`
	NTest      int     `json:"n_test"`
	D          int     `json:"d"`
	Classes    int     `json:"classes"`
	FitS       float64 `json:"fit_s"`
	PredictS   float64 `json:"predict_s"`
	Accuracy   float64 `json:"accuracy"`
	RSSBefore  float64 `json:"rss_before_fit_mib"`
	PeakRSS    float64 `json:"peak_rss_mib"`
	Nodes      int     `json:"nodes,omitempty"`
	ModelBytes int     `json:"model_bytes,omitempty"`
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	tool := fs.String("tool", "grove", "grove or golearn")
	train := fs.String("train", "", "training CSV (header f0..,target)")
	test := fs.String("test", "", "test CSV")
	trees := fs.Int("trees", 100, "number of trees")
	seed := fs.Int("seed", 0, "random seed")
	workers := fs.Int("workers", 2, "grove: trees grown at once")
	features := fs.String("features", "all", "golearn: features per tree, all or sqrt (golearn draws them once per tree)")
	label := fs.String("label", "", "dataset name for the output; default from -train")
	summarize := fs.Bool("summarize", false, "read JSON lines on stdin and print a median table")
	table := fs.String("table", "", "run -tools on every DIR/*_train.csv and print a median table")
	tools := fs.String("tools", "grove", "with -table: comma-separated tools")
	runs := fs.Int("runs", 3, "with -table: runs per tool and dataset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *summarize {
		rs, err := readResults(stdin)
		if err != nil {
			return err
		}
		return writeTable(stdout, rs)
	}
	if *table != "" {
		return runTable(ctx, *table, strings.Split(*tools, ","), *runs, *trees, *workers, *features, stdout)
	}
	if *train == "" || *test == "" {
		return fmt.Errorf("-train and -test are required")
	}
	if *label == "" {
		*label = strings.TrimSuffix(filepath.Base(*train), "_train.csv")
	}
	tr, te, err := readSplit(*train, *test)
	if err != nil {
		return err
	}
	r, err := runOne(ctx, *tool, tr, te, *label, *trees, *seed, *workers, *features)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(r)
}

// readSplit reads a benchmark split, coding the test labels with the
// training file's classes so that both sides agree on every class code.
func readSplit(trainPath, testPath string) (tr, te *datasets.Dataset, err error) {
	tr, err = datasets.ReadCSV(trainPath, datasets.CSVOptions{Target: "target"})
	if err != nil {
		return nil, nil, err
	}
	te, err = datasets.ReadCSV(testPath, datasets.CSVOptions{Target: "target", ClassNames: tr.ClassNames})
	if err != nil {
		return nil, nil, err
	}
	return tr, te, nil
}

func runOne(ctx context.Context, tool string, tr, te *datasets.Dataset, label string, trees, seed, workers int, features string) (result, error) {
	switch tool {
	case "grove":
		return runGrove(ctx, tr, te, label, trees, seed, workers)
	case "golearn":
		return runGolearn(tr, te, label, trees, seed, features)
	}
	return result{}, fmt.Errorf("-tool must be grove or golearn, got %q", tool)
}

func runGrove(ctx context.Context, tr, te *datasets.Dataset, label string, trees, seed, workers int) (result, error) {
	runtime.GC()
	r := result{Tool: "grove", Version: "dev", Dataset: label, Threads: workers, Trees: trees, Seed: seed,
		NTrain: tr.Rows(), NTest: te.Rows(), D: tr.Features(), Classes: tr.Classes(), RSSBefore: statusMiB("VmRSS")}
	f := forest.New(forest.Config{Trees: trees, Seed: int64(seed), Workers: workers})
	start := time.Now()
	if err := f.Fit(ctx, tr.X, tr.Y, tr.Classes()); err != nil {
		return r, err
	}
	r.FitS = time.Since(start).Seconds()
	start = time.Now()
	pred, err := f.Predict(te.X)
	if err != nil {
		return r, err
	}
	r.PredictS = time.Since(start).Seconds()
	if r.Accuracy, err = evaluate.Accuracy(te.Y, pred); err != nil {
		return r, err
	}
	r.PeakRSS = statusMiB("VmHWM")
	r.Nodes = f.Nodes()
	var cw countWriter
	if err := f.Save(&cw); err != nil {
		return r, err
	}
	r.ModelBytes = int(cw)
	return r, nil
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// statusMiB reads a size field (VmRSS, VmHWM) of /proc/self/status in MiB,
// or -1 where there is no such file.
func statusMiB(key string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				kib, err := strconv.ParseFloat(fields[0], 64)
				if err == nil {
					return kib / 1024
				}
			}
		}
	}
	return -1
}

func readResults(r io.Reader) ([]result, error) {
	dec := json.NewDecoder(r)
	var rs []result
	for {
		var x result
		err := dec.Decode(&x)
		if err == io.EOF {
			return rs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read results: %w", err)
		}
		rs = append(rs, x)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// writeTable prints, per dataset and tool, the median fit and predict
// seconds, mean accuracy and median peak memory, and each tool's fit and
// predict time as a ratio of scikit-learn's and ranger's when those ran.
func writeTable(w io.Writer, rs []result) error {
	type key struct{ ds, tool string }
	type agg struct{ fit, pred, acc, peak []float64 }
	groups := map[key]*agg{}
	var dsOrder, toolOrder []string
	seenDS, seenTool := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		k := key{r.Dataset, r.Tool}
		if groups[k] == nil {
			groups[k] = &agg{}
		}
		g := groups[k]
		g.fit = append(g.fit, r.FitS)
		g.pred = append(g.pred, r.PredictS)
		g.acc = append(g.acc, r.Accuracy)
		g.peak = append(g.peak, r.PeakRSS)
		if !seenDS[r.Dataset] {
			seenDS[r.Dataset] = true
			dsOrder = append(dsOrder, r.Dataset)
		}
		if !seenTool[r.Tool] {
			seenTool[r.Tool] = true
			toolOrder = append(toolOrder, r.Tool)
		}
	}
	fmt.Fprintln(w, "| dataset | tool | runs | fit s (median) | predict s (median) | accuracy (mean) | peak MiB (median) | fit / sklearn | fit / ranger | predict / sklearn |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, ds := range dsOrder {
		sk := groups[key{ds, "sklearn"}]
		rg := groups[key{ds, "ranger"}]
		for _, tool := range toolOrder {
			g := groups[key{ds, tool}]
			if g == nil {
				continue
			}
			var accSum float64
			for _, a := range g.acc {
				accSum += a
			}
			ratio := func(base *agg, pick func(*agg) []float64) string {
				if base == nil || tool == "sklearn" && base == sk || tool == "ranger" && base == rg {
					return "-"
				}
				return fmt.Sprintf("%.2f", median(pick(g))/median(pick(base)))
			}
			fit := func(a *agg) []float64 { return a.fit }
			pred := func(a *agg) []float64 { return a.pred }
			peak := "-"
			if m := median(g.peak); m >= 0 {
				peak = fmt.Sprintf("%.0f", m)
			}
			fmt.Fprintf(w, "| %s | %s | %d | %.3f | %.3f | %.4f | %s | %s | %s | %s |\n",
				ds, tool, len(g.fit), median(g.fit), median(g.pred), accSum/float64(len(g.acc)), peak,
				ratio(sk, fit), ratio(rg, fit), ratio(sk, pred))
		}
	}
	return nil
}

func runTable(ctx context.Context, dir string, tools []string, runs, trees, workers int, features string, stdout io.Writer) error {
	trains, err := filepath.Glob(filepath.Join(dir, "*_train.csv"))
	if err != nil {
		return err
	}
	if len(trains) == 0 {
		return fmt.Errorf("no *_train.csv in %s", dir)
	}
	var rs []result
	for _, trainPath := range trains {
		label := strings.TrimSuffix(filepath.Base(trainPath), "_train.csv")
		// Every run of every tool fits the same split, so it is parsed once.
		tr, te, err := readSplit(trainPath, filepath.Join(dir, label+"_test.csv"))
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		for i := 0; i < runs; i++ {
			for _, tool := range tools {
				r, err := runOne(ctx, tool, tr, te, label, trees, i, workers, features)
				if err != nil {
					return fmt.Errorf("%s on %s: %w", tool, label, err)
				}
				// Peak memory is per process; in one process it only grows.
				r.PeakRSS = -1
				rs = append(rs, r)
				runtime.GC()
			}
		}
	}
	return writeTable(stdout, rs)
}
