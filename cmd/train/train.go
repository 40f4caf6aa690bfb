package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/evaluate"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

// job is what the command learned along the way; the summary and the JSON
// object are both printed from it.
type job struct {
	Data      string // what was loaded, for people
	source    string // the path it came from; empty for the bundled Iris
	Rows      int
	Features  int
	Classes   int
	TrainRows int
	TestRows  int
	TestSize  float64 // 0 when a -test-data file was given
	TestData  string
	Seed      uint64
	Stratify  bool

	Estimator      string
	Trees          int
	FitSeconds     float64
	PredictSeconds float64
	Metrics        map[string]float64 // autolog's and the user's
	custom         []string           // the user's metric names, sorted
	stamp          int64              // the -metric points' time stamp, once logged

	Tracked      bool
	TrackingURI  string
	RunID        string
	RunName      string
	Experiment   string
	ExperimentID string
	ArtifactURI  string
	ModelID      string
	ReportFile   string
	Warnings     []string

	classNames  []string
	classReport string
}

// ownParams are the command's choices, logged beside the forest's
// hyper-parameters so runs of a sweep can be told apart and charted.
func ownParams(j *job) map[string]string {
	p := map[string]string{
		"split_seed":    strconv.FormatUint(j.Seed, 10),
		"stratify":      pyBool(j.Stratify),
		"data_source":   j.Data,
		"data_rows":     strconv.Itoa(j.Rows),
		"data_features": strconv.Itoa(j.Features),
		"data_classes":  strconv.Itoa(j.Classes),
		"train_rows":    strconv.Itoa(j.TrainRows),
		"test_rows":     strconv.Itoa(j.TestRows),
	}
	if j.TestData != "" {
		p["test_data"] = j.TestData
	} else {
		p["test_size"] = strconv.FormatFloat(j.TestSize, 'g', -1, 64)
	}
	return p
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// fit trains, evaluates and, unless -no-track, records the run.
func fit(ctx context.Context, o *options, train, test *datasets.Dataset, j *job, stderr io.Writer) error {
	cfg := o.forest
	cfg.Seed = int64(o.seed)
	if err := cfg.Validate(); err != nil {
		return err
	}
	bar := newProgress(stderr, "training")
	cfg.Progress = bar.update
	defer bar.finish()
	model := forest.New(cfg)
	j.Estimator, j.Trees = model.EstimatorName(), cfg.Trees
	j.custom = slices.Sorted(maps.Keys(o.metrics))

	if o.noTrack {
		return fitUntracked(ctx, model, train, test, j, bar)
	}

	client, err := tracking.Open(ctx, o.trackingURI)
	if err != nil {
		return err
	}
	defer client.Close()
	client.SetLogger(log.New(stderr, "train: warning: ", 0))
	j.Tracked = true
	j.TrackingURI = tracking.Redact(client.URI())
	j.Experiment = o.experiment
	// The command starts the run and ends it itself, FINISHED only once the
	// -metric values and the chart are recorded too: a run that MLflow
	// shows as FINISHED holds everything the command promised.
	spool := newSpooler(o, client, stderr)
	defer spool.close()
	run, err := autolog.StartRun(ctx, client, autolog.Options{Experiment: o.experiment, RunName: o.runName, Spool: spool.opener()})
	if err != nil {
		return err
	}
	res, err := autolog.Fit(ctx, client, model, train, test, autolog.Options{
		Run:           run,
		Experiment:    o.experiment, // for the spool, should the server go away
		Params:        ownParams(j),
		DatasetSource: j.source,
		Spool:         spool.opener(),
	})
	bar.finish()
	if err != nil {
		return err // Fit ended the run FAILED or KILLED
	}
	server := client
	spooled := func() {
		// The server could not be reached: the run went on in the spool.
		run, client = res.Run, res.Run.Client()
		fmt.Fprintf(stderr, "train: the tracking server %s cannot be reached; run %s is recorded in %s; send it on with: %s\n",
			tracking.Redact(server.URI()), run.ID(), client.URI(), tracking.SyncCommand(client.URI(), server.URI()))
		j.TrackingURI = client.URI()
		j.RunID, j.RunName, j.ExperimentID = res.RunID, res.RunName, res.ExperimentID
		j.ArtifactURI, j.ModelID = res.ArtifactURI, res.ModelID
	}
	// moved moves the run into the spool when err says the server went
	// away after Fit, while the command recorded the rest.
	moved := func(err error) bool {
		if _, ok := res.MoveToSpool(ctx, err); !ok {
			return false
		}
		spooled()
		return true
	}
	j.RunID, j.RunName, j.ExperimentID = res.RunID, res.RunName, res.ExperimentID
	j.ArtifactURI, j.ModelID = res.ArtifactURI, res.ModelID
	if res.Run != nil && res.Run.Client() != client {
		spooled()
	}
	j.FitSeconds, j.PredictSeconds = res.FitSeconds, res.PredictSeconds
	j.Warnings = append(j.Warnings, res.Warnings...)
	for k, v := range res.Metrics {
		j.Metrics[k] = v
	}
	err = finish(ctx, o, client, run, res, test, j)
	if err != nil && moved(err) {
		err = finish(ctx, o, client, run, res, test, j)
	}
	if err != nil {
		if eerr := run.EndWithError(ctx, tracking.ErrorStatus(ctx), err); eerr != nil {
			err = errors.Join(err, eerr)
		}
		return err
	}
	// Everything is recorded: the run is FINISHED even if a signal arrives
	// this very moment.
	err = run.End(context.WithoutCancel(ctx), store.StatusFinished)
	if err != nil && moved(err) {
		if err = finish(ctx, o, client, run, res, test, j); err == nil {
			err = run.End(context.WithoutCancel(ctx), store.StatusFinished)
		}
	}
	if err != nil {
		return fmt.Errorf("run %s is recorded, but could not be marked FINISHED: %w", run.ID(), err)
	}
	return nil
}

// spooler opens the spool, once and only when a run needs it: when the
// tracking server cannot be reached. Nil for a local store, with -no-spool
// or with GROVE_SPOOL=off.
type spooler struct {
	stderr io.Writer
	client *tracking.Client
	err    error
	done   bool
}

func newSpooler(o *options, client *tracking.Client, stderr io.Writer) *spooler {
	if o.noSpool || !strings.HasPrefix(client.URI(), "http") {
		return nil
	}
	if _, err := tracking.SpoolURI(); errors.Is(err, tracking.ErrSpoolOff) {
		return nil
	}
	return &spooler{stderr: stderr}
}

// open is autolog's Options.Spool.
func (s *spooler) open(ctx context.Context) (*tracking.Client, error) {
	if !s.done {
		s.done = true
		s.client, s.err = tracking.OpenSpool(ctx)
		if s.err == nil {
			s.client.SetLogger(log.New(s.stderr, "train: warning: ", 0))
		}
	}
	return s.client, s.err
}

// opener returns the spool's opener for autolog, nil when there is none.
func (s *spooler) opener() func(context.Context) (*tracking.Client, error) {
	if s == nil {
		return nil
	}
	return s.open
}

func (s *spooler) close() {
	if s != nil && s.client != nil {
		s.client.Close()
	}
}

// finish records what the command adds to autolog's run, the -metric
// values and the cross-run chart, and writes -report.
func finish(ctx context.Context, o *options, client *tracking.Client, run *tracking.Run, res *autolog.Result, test *datasets.Dataset, j *job) error {
	var err error
	j.classReport, err = evaluate.ClassificationReport(test.Y, res.TestPredictions, test.ClassNames)
	if err != nil {
		return fmt.Errorf("classification report: %w", err)
	}
	if len(o.metrics) > 0 {
		// One time stamp, kept if the run is recorded again into the
		// spool, so that a sync finds the points the server already has.
		if j.stamp == 0 {
			j.stamp = time.Now().UnixMilli()
		}
		var points []store.Metric
		for _, k := range slices.Sorted(maps.Keys(o.metrics)) {
			points = append(points, store.Metric{Key: k, Value: o.metrics[k], Timestamp: j.stamp})
		}
		if err := run.LogMetricPoints(ctx, points); err != nil {
			return fmt.Errorf("run %s: its -metric values are not recorded: %w", run.ID(), err)
		}
		for k, v := range o.metrics {
			j.Metrics[k] = v
		}
	}
	page, err := report.Log(ctx, client.Store(), run.ID(), report.Options{})
	if err != nil {
		return fmt.Errorf("run %s: its metrics chart is not recorded: %w", run.ID(), err)
	}
	if o.report != "" {
		if err := os.WriteFile(o.report, page, 0o644); err != nil {
			return fmt.Errorf("run %s: -report: %w", run.ID(), err)
		}
		j.ReportFile = o.report
	}
	return nil
}

// fitUntracked does what autolog does minus the recording: time the fit and
// the test predictions and compute the same metrics under the same names,
// with autolog.Score, so the two paths cannot disagree on a definition.
func fitUntracked(ctx context.Context, model *forest.Forest, train, test *datasets.Dataset, j *job, bar *progress) error {
	t0 := time.Now()
	if err := model.Fit(ctx, train.X, train.Y, train.Classes()); err != nil {
		return err
	}
	j.FitSeconds = time.Since(t0).Seconds()
	bar.finish()
	// predict_seconds is Predict on the test set alone, as the other
	// libraries' timings in a speed comparison measure it, not
	// autolog.Score's Seconds, which include the class probabilities.
	t0 = time.Now()
	if _, err := model.Predict(test.X); err != nil {
		return err
	}
	j.PredictSeconds = time.Since(t0).Seconds()
	if _, err := score(model, autolog.PrefixTraining, train, j); err != nil {
		return err
	}
	pred, err := score(model, autolog.PrefixTest, test, j)
	if err != nil {
		return err
	}
	j.classReport, err = evaluate.ClassificationReport(test.Y, pred, test.ClassNames)
	return err
}

// score adds autolog's metric family on one dataset to j.Metrics and
// returns the predictions. A metric scikit-learn would refuse (a ROC AUC on
// a test set missing a class) is left out with a warning, as autolog leaves
// it out of a run.
func score(model *forest.Forest, prefix string, d *datasets.Dataset, j *job) ([]int, error) {
	s, err := autolog.Score(model, d, prefix)
	if err != nil {
		return nil, err
	}
	for k, v := range s.Metrics {
		j.Metrics[k] = v
	}
	for _, m := range s.Skipped {
		j.Warnings = append(j.Warnings, fmt.Sprintf("%s not computed: %v", m.Name, m.Err))
	}
	return s.Predictions, nil
}

// addMetrics logs -metric values to the existing run -run-id: MLflow's
// custom metrics, computed after the fact on data the model never saw.
func addMetrics(ctx context.Context, o *options, stdout io.Writer) error {
	client, err := tracking.Open(ctx, o.trackingURI)
	if err != nil {
		return err
	}
	defer client.Close()
	if _, err := client.GetRun(ctx, o.runID); err != nil {
		return fmt.Errorf("-run-id %s: %w", o.runID, err)
	}
	if err := client.LogMetrics(ctx, o.runID, o.metrics); err != nil {
		return fmt.Errorf("-run-id %s: %w", o.runID, err)
	}
	names := slices.Sorted(maps.Keys(o.metrics))
	if o.json {
		return writeJSON(stdout, &job{RunID: o.runID, Metrics: o.metrics, Tracked: true, TrackingURI: tracking.Redact(client.URI()), custom: names})
	}
	for _, k := range names {
		fmt.Fprintf(stdout, "logged %s = %s to run %s\n", k, strconv.FormatFloat(o.metrics[k], 'g', -1, 64), o.runID)
	}
	return nil
}
