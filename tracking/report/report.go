package report

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/grove-ml/grove/tracking/store"
)

// ArtifactName is the file name under which Log attaches the page to a run.
const ArtifactName = "metrics_report.html"

// The x axis choices Options.X accepts besides "param:KEY".
const (
	XAuto = "auto" // step for metrics with a history, else a varying param or run order
	XStep = "step" // every chart against the metric's step
	XRun  = "run"  // each run's latest value against the run's start order
)

// xParamPrefix introduces a param name in Options.X: "param:test_size".
const xParamPrefix = "param:"

// Options says how to draw the page. The zero value draws every metric with
// the x axis chosen automatically.
type Options struct {
	// X chooses the x axis: "" or XAuto, XStep, XRun, or "param:KEY" to draw
	// each run's latest value of every metric against the run's param KEY
	// (sorted numerically when every value is a number).
	//
	// XAuto draws a metric that some run logged at two or more steps against
	// its step. A metric logged once per run is drawn against test_size when
	// the test_size values of the runs that logged it are numbers that differ,
	// else against the one numeric param whose value differs between those
	// runs, else against run start order.
	X string
	// Title replaces the page heading; empty means "Metrics of experiment NAME".
	Title string
}

// Validate reports an error when o.X is not an axis the page can draw.
func (o Options) Validate() error {
	_, err := o.validate()
	return err
}

// validate checks o.X and returns the param key it names, if any.
func (o Options) validate() (param string, err error) {
	switch o.X {
	case "", XAuto, XStep, XRun:
		return "", nil
	}
	if key, ok := strings.CutPrefix(o.X, xParamPrefix); ok && key != "" {
		return key, nil
	}
	return "", fmt.Errorf("report: x axis %q is not one of auto, step, run or param:KEY", o.X)
}

// RunHistory is one run with the full history of each metric it logged.
type RunHistory struct {
	Info    store.RunInfo
	Params  []store.Param
	Metrics map[string][]store.Metric // key -> points in (step, timestamp) order
}

// Data is everything the page shows: an experiment and its runs in start order.
type Data struct {
	Experiment store.Experiment
	Runs       []RunHistory
}

// collectWorkers is how many metric histories Collect asks for at once: a
// tracking server answers each in a round trip, and hundreds of runs would
// otherwise wait on them one by one.
const collectWorkers = 8

// Collect reads an experiment's active runs and their metric histories
// through st, so it works alike for every store. Runs come out in start
// order (ties broken by run id) and points in step order, whatever order the
// store answers in, so the page drawn from them is the same every time.
//
// A metric whose latest point is at step 0 is taken as logged once per run,
// as grove's scores are: its latest value is all the page draws, so its
// history is not fetched. Every other history is fetched whole.
func Collect(ctx context.Context, st store.Store, experimentID string) (*Data, error) {
	exp, err := st.GetExperiment(ctx, experimentID)
	if err != nil {
		return nil, fmt.Errorf("report: experiment %s: %w", experimentID, err)
	}
	d := &Data{Experiment: *exp}
	runs, err := store.AllRuns(ctx, st, store.RunQuery{ExperimentIDs: []string{experimentID}})
	if err != nil {
		return nil, fmt.Errorf("report: runs of experiment %s: %w", experimentID, err)
	}
	for _, r := range runs {
		h := RunHistory{Info: r.Info, Params: slices.Clone(r.Data.Params), Metrics: make(map[string][]store.Metric, len(r.Data.Metrics))}
		for _, m := range r.Data.Metrics {
			h.Metrics[m.Key] = []store.Metric{m}
		}
		d.Runs = append(d.Runs, h)
	}
	slices.SortFunc(d.Runs, func(a, b RunHistory) int {
		return cmp.Or(cmp.Compare(a.Info.StartTime, b.Info.StartTime), strings.Compare(a.Info.RunID, b.Info.RunID))
	})
	if err := fetchHistories(ctx, st, d); err != nil {
		return nil, err
	}
	return d, nil
}

// fetchHistories replaces each latest point of d that is past step 0 by its
// metric's whole history, collectWorkers requests at a time.
func fetchHistories(ctx context.Context, st store.Store, d *Data) error {
	type job struct {
		run int
		key string
	}
	var jobs []job
	for i, r := range d.Runs {
		for _, key := range slices.Sorted(maps.Keys(r.Metrics)) {
			if r.Metrics[key][0].Step != 0 {
				jobs = append(jobs, job{i, key})
			}
		}
	}
	results := make([][]store.Metric, len(jobs))
	errs := make([]error, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(collectWorkers, len(jobs)) {
		wg.Go(func() {
			for j := range next {
				r := d.Runs[jobs[j].run]
				pts, err := st.GetMetricHistory(ctx, r.Info.RunID, jobs[j].key)
				if err != nil {
					errs[j] = fmt.Errorf("report: history of metric %q of run %s: %w", jobs[j].key, r.Info.RunID, err)
					cancel() // the page cannot be drawn; stop asking
				}
				results[j] = pts
			}
		})
	}
	sent := 0
	for sent < len(jobs) {
		select {
		case next <- sent:
			sent++
			continue
		case <-ctx.Done():
		}
		break
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if sent < len(jobs) {
		return fmt.Errorf("report: metric histories of experiment %s: %w", d.Experiment.ID, ctx.Err())
	}
	for j, jb := range jobs {
		if len(results[j]) > 0 { // an empty history: the latest point is all we know
			d.Runs[jb.run].Metrics[jb.key] = sortPoints(results[j])
		}
	}
	return nil
}

// sortPoints orders a history by step, then timestamp, then value
// (store.ComparePoints), the order in which the page draws it.
func sortPoints(pts []store.Metric) []store.Metric {
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, store.ComparePoints)
	return pts
}

// Build draws the page for an experiment: Collect, then Render.
func Build(ctx context.Context, st store.Store, experimentID string, o Options) ([]byte, error) {
	if _, err := o.validate(); err != nil {
		return nil, err
	}
	d, err := Collect(ctx, st, experimentID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := Render(&buf, d, o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Log draws the page for the experiment of run runID, attaches it to that run
// as the artifact ArtifactName and returns it, so a caller can also save it
// elsewhere without drawing it twice.
func Log(ctx context.Context, st store.Store, runID string, o Options) ([]byte, error) {
	run, err := st.GetRun(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("report: run %s: %w", runID, err)
	}
	page, err := Build(ctx, st, run.Info.ExperimentID, o)
	if err != nil {
		return nil, err
	}
	if err := attach(ctx, st, run, page); err != nil {
		return nil, err
	}
	return page, nil
}

// Attach puts an already drawn page into run runID's artifacts as
// ArtifactName, for a caller that drew it with Collect and Render.
func Attach(ctx context.Context, st store.Store, runID string, page []byte) error {
	run, err := st.GetRun(ctx, runID)
	if err != nil {
		return fmt.Errorf("report: run %s: %w", runID, err)
	}
	return attach(ctx, st, run, page)
}

func attach(ctx context.Context, st store.Store, run *store.Run, page []byte) error {
	runID := run.Info.RunID
	repo, err := st.Artifacts(ctx, run.Info.ArtifactURI)
	if err != nil {
		return fmt.Errorf("report: artifacts of run %s at %s: %w", runID, run.Info.ArtifactURI, err)
	}
	if repo == nil {
		return errors.New("report: store returned no artifact repository for run " + runID)
	}
	if err := repo.Put(ctx, ArtifactName, bytes.NewReader(page)); err != nil {
		return fmt.Errorf("report: write %s to run %s: %w", ArtifactName, runID, err)
	}
	return nil
}

// Keys returns the metric keys of d's runs, sorted: one chart each.
func (d *Data) Keys() []string { return metricKeys(d) }

// Summary counts d's runs and metric keys in words, "3 runs, 1 metric", as
// the page and cmd/report state them.
func (d *Data) Summary() string {
	return plural(len(d.Runs), "run") + ", " + plural(len(d.Keys()), "metric")
}

// Render writes the page for d to w. It reads nothing but d: the same data
// gives the same bytes.
func Render(w io.Writer, d *Data, o Options) error {
	if d == nil {
		return errors.New("report: no data to render")
	}
	p, err := newPage(d, o)
	if err != nil {
		return err
	}
	return p.write(w)
}
