package autolog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/models"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/internal/gitinfo"
	"github.com/grove-ml/grove/tracking/store"
)

// Names autolog records, as MLflow's sklearn autolog spells them where it
// has a counterpart.
const (
	TagEstimatorName  = "estimator_name"
	TagEstimatorClass = "estimator_class"
	// Autologging is the value of the mlflow.autologging tag.
	Autologging = "grove"
	// ModelName is the name of the logged model.
	ModelName = "model"
	// Flavor is the MLmodel flavor that describes a grove model file.
	Flavor = "grove"
	// ModelFile is the model file's name among the logged model's files.
	ModelFile = "model.grove"
	// MLflowDefaultExperiment is the experiment of runs Fit starts when
	// Options.Experiment is empty: MLflow's own default experiment. grove's
	// commands record into cli.TrainExperiment instead.
	MLflowDefaultExperiment = "Default"
	// DefaultDatasetName names the dataset inputs when Options.DatasetName
	// is empty, as MLflow's autolog names data it was handed in code.
	DefaultDatasetName = "dataset"
)

// Options says where and how Fit records. The zero value starts a run in
// experiment Default with a generated name.
type Options struct {
	// Run, when set, is the run to record into (see StartRun). Fit leaves
	// it running when it returns no error, so the caller can record more
	// and end it; when Fit fails, it ends the run FAILED (KILLED if ctx was
	// cancelled) with the error recorded, as it ends its own. When nil, Fit
	// starts a run and ends it FINISHED, FAILED or KILLED.
	Run *tracking.Run
	// Experiment names the experiment of the run Fit starts; created when
	// missing. MLflowDefaultExperiment when empty.
	Experiment string
	// RunName names the run Fit starts; generated when empty.
	RunName string
	// Params are logged beside the model's hyper-parameters: the caller's
	// own choices (test_size, seed, data source) that tell runs apart. A key
	// the model reports too must have the same value.
	Params map[string]string
	// Tags are set on the run too.
	Tags map[string]string
	// DatasetName names both dataset inputs; DefaultDatasetName when empty.
	DatasetName string
	// DatasetSource is the path or URI the data was read from, recorded as
	// the datasets' source; empty means the data came from code (such as
	// the bundled Iris table).
	DatasetSource string
	// SourceFile is the program's source file to record; found from the
	// call stack when empty.
	SourceFile string
	// FallbackDir is where the trained model is saved when recording fails
	// after training; the working directory when empty, the temp folder if
	// that cannot be written.
	FallbackDir string
	// Spool, when set, opens the store the run goes on in when the
	// tracking server cannot be reached (tracking.Unreachable), such as
	// tracking.OpenSpool; it is called only then. At the start, Fit (and
	// StartRun) start the run there; mid-run, Fit records the whole run
	// into it again, with the tag grove.sync.continues_run_id naming the
	// server's run, so that cmd/sync later completes that run rather than
	// leave it RUNNING. The caller closes the client it returns. With a
	// caller's Run, Experiment should name that run's experiment, for the
	// spool's run to land in the experiment of the same name.
	Spool func(context.Context) (*tracking.Client, error)
}

// Result is what Fit did.
type Result struct {
	RunID        string
	RunName      string
	ExperimentID string
	ArtifactURI  string // the run's artifact root
	ModelID      string // the logged model; empty when none was logged
	// Metrics holds every metric logged, by name (training_*, test_*).
	Metrics map[string]float64
	// FitSeconds is the time model.Fit took; PredictSeconds the time
	// Predict and PredictProba took on the test set (the training set when
	// there is no test set).
	FitSeconds     float64
	PredictSeconds float64
	// Model is the fitted model.
	Model models.Classifier
	// TestPredictions are the model's predictions on the test set.
	TestPredictions []int
	// SourceFile is the source file logged under code/, empty when none was.
	SourceFile string
	// LocalModelPath is where the trained model was saved when recording
	// failed after training.
	LocalModelPath string
	// Warnings says what was left out and why (a metric scikit-learn would
	// refuse too, a source file not found).
	Warnings []string
	// Run is the run Fit recorded into; when the server could not be
	// reached, the spool's (Options.Spool), and SpooledFrom is then the
	// tracking URI that could not be reached.
	Run         *tracking.Run
	SpooledFrom string

	a  *autolog    // for MoveToSpool
	ev *evaluation // what was recorded after training
}

// Fit trains model on train, evaluates it on train and test (test may be
// nil) and records the run: see the package documentation for what is
// recorded. On failure the error says what failed; the Result, when not nil,
// says how far Fit got (after a tracking failure, where the model was saved).
func Fit(ctx context.Context, c *tracking.Client, model models.Classifier, train, test *datasets.Dataset, opts Options) (*Result, error) {
	if c == nil {
		return nil, errors.New("autolog: no tracking client")
	}
	err := checkData(train, test)
	if model == nil {
		err = errors.New("autolog: no model")
	}
	if err != nil {
		if opts.Run != nil {
			// The caller's run would otherwise wait for a Fit that never ran.
			return nil, (&autolog{run: opts.Run}).fail(ctx, store.StatusFailed, err)
		}
		return nil, err
	}
	a := &autolog{c: c, model: model, train: train, test: test, opts: opts,
		res: &Result{Model: model, Metrics: map[string]float64{}}}
	a.res.a = a
	if err := a.start(ctx); err != nil {
		return nil, err
	}
	return a.fitAndRecord(ctx)
}

// autolog carries one Fit call's state.
type autolog struct {
	c           *tracking.Client
	model       models.Classifier
	train, test *datasets.Dataset
	opts        Options
	res         *Result

	run        *tracking.Run
	own        bool   // Fit started the run, so Fit ends it
	src        string // the program's source file as the compiler recorded it
	srcFound   bool
	sourceTags map[string]string // mlflow.user, mlflow.source.* of the run
	digests    map[*datasets.Dataset]string
	inSpool    bool  // the run is recorded into Options.Spool
	stamp      int64 // the metric points' time stamp, once logged
}

// digest returns d.Digest(), computed once per dataset: it reads every cell.
func (a *autolog) digest(d *datasets.Dataset) string {
	if a.digests == nil {
		a.digests = map[*datasets.Dataset]string{}
	}
	if v, ok := a.digests[d]; ok {
		return v
	}
	v := d.Digest()
	a.digests[d] = v
	return v
}

func checkData(train, test *datasets.Dataset) error {
	if train == nil || train.X == nil || train.Rows() == 0 {
		return errors.New("autolog: the training set is empty")
	}
	if err := checkShape("training", train); err != nil {
		return err
	}
	if test == nil {
		return nil
	}
	if test.X == nil || test.Rows() == 0 {
		return errors.New("autolog: the test set is empty; pass nil for no test set")
	}
	if err := checkShape("test", test); err != nil {
		return err
	}
	if test.Features() != train.Features() {
		return fmt.Errorf("autolog: the test set has %d features, the training set %d", test.Features(), train.Features())
	}
	if test.Classes() != train.Classes() {
		return fmt.Errorf("autolog: the test set has %d classes, the training set %d; split both from one dataset", test.Classes(), train.Classes())
	}
	for i := range test.ClassNames {
		if test.ClassNames[i] != train.ClassNames[i] {
			return fmt.Errorf("autolog: class %d is %q in the test set but %q in the training set", i, test.ClassNames[i], train.ClassNames[i])
		}
	}
	return nil
}

func checkShape(which string, d *datasets.Dataset) error {
	r, c := d.X.Dims()
	switch {
	case r != len(d.Y):
		return fmt.Errorf("autolog: the %s set has %d rows but %d labels", which, r, len(d.Y))
	case c != d.Features():
		return fmt.Errorf("autolog: the %s set has %d columns but %d feature names", which, c, d.Features())
	case d.Classes() == 0:
		return fmt.Errorf("autolog: the %s set names no classes", which)
	}
	return nil
}

// StartRun starts a run the way Fit starts its own, in opts.Experiment
// (created when missing) with opts.RunName, opts.Tags and the calling
// program's source tags (mlflow.source.*, the git commit), for a program
// that records more than Fit does: it passes the run to Fit in Options.Run,
// logs the rest, and ends the run FINISHED only when everything is recorded.
func StartRun(ctx context.Context, c *tracking.Client, opts Options) (*tracking.Run, error) {
	if c == nil {
		return nil, errors.New("autolog: no tracking client")
	}
	src, found := source(opts)
	run, err := startRun(ctx, c, opts, src, found, time.Time{})
	if err != nil && opts.Spool != nil && tracking.Unreachable(err) {
		spool, serr := opts.Spool(ctx)
		if serr != nil {
			return nil, errors.Join(err, fmt.Errorf("autolog: spool: %w", serr))
		}
		return startRun(ctx, spool, opts, src, found, time.Time{})
	}
	return run, err
}

// source returns the program's file that a run records, opts.SourceFile or
// else the file of the first caller outside autolog, and whether it is a
// file on this machine.
func source(opts Options) (src string, found bool) {
	src = opts.SourceFile
	if src == "" {
		src = callerFile()
	}
	st, err := os.Stat(src)
	return src, src != "" && err == nil && st.Mode().IsRegular()
}

// startRun starts a run; a zero start means now.
func startRun(ctx context.Context, c *tracking.Client, opts Options, src string, srcFound bool, start time.Time) (*tracking.Run, error) {
	name := opts.Experiment
	if name == "" {
		name = MLflowDefaultExperiment
	}
	exp, err := c.GetOrCreateExperiment(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("autolog: %w", err)
	}
	ro := tracking.RunOptions{Name: opts.RunName, SourceName: sourceName(src), Tags: opts.Tags, StartTime: start}
	if srcFound {
		if commit, err := gitinfo.Commit(src); err == nil {
			ro.GitCommit = commit
		}
	}
	run, err := c.StartRun(ctx, exp.ID, ro)
	if err != nil {
		return nil, fmt.Errorf("autolog: %w", err)
	}
	return run, nil
}

// start finds the program's source and starts (or adopts) the run.
func (a *autolog) start(ctx context.Context) error {
	a.src, a.srcFound = source(a.opts)
	a.run = a.opts.Run
	if a.run == nil {
		a.own = true
		var err error
		a.run, err = startRun(ctx, a.c, a.opts, a.src, a.srcFound, time.Time{})
		if err != nil && a.opts.Spool != nil && tracking.Unreachable(err) {
			spool, serr := a.opts.Spool(ctx)
			if serr != nil {
				return errors.Join(err, fmt.Errorf("autolog: spool: %w", serr))
			}
			a.res.SpooledFrom = a.c.URI()
			a.c, a.inSpool = spool, true
			a.run, err = startRun(ctx, a.c, a.opts, a.src, a.srcFound, time.Time{})
		}
		if err != nil {
			return err
		}
	}
	a.res.Run = a.run
	if a.run.Client() != a.c {
		// A caller's run that StartRun put in the spool.
		a.c, a.inSpool = a.run.Client(), true
	}
	a.res.RunID = a.run.ID()
	a.res.RunName = a.run.Name()
	a.res.ExperimentID = a.run.ExperimentID()
	a.res.ArtifactURI = a.run.ArtifactURI()
	return nil
}

// fail ends the run, Fit's own or the caller's, FAILED or KILLED with err
// recorded: a run whose recording broke off cannot be completed later, and
// must not be left for a caller to end FINISHED.
func (a *autolog) fail(ctx context.Context, status store.RunStatus, err error) error {
	if eerr := a.run.EndWithError(ctx, status, err); eerr != nil {
		return errors.Join(err, fmt.Errorf("autolog: could not mark run %s %s: %w", a.run.ID(), status, eerr))
	}
	return err
}

func (a *autolog) fitAndRecord(ctx context.Context) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			// A panic (in the model's code, most likely) fails the run and
			// goes on up, as an exception does through MLflow's autolog.
			_ = a.fail(ctx, store.StatusFailed, fmt.Errorf("autolog: panic: %v", p))
			panic(p)
		}
	}()
	fail := func(status store.RunStatus, err error) (*Result, error) {
		return a.res, a.fail(ctx, status, err)
	}

	if err := a.logBeforeTraining(ctx); err != nil {
		if !a.spooled(ctx, err) {
			return fail(tracking.ErrorStatus(ctx), err)
		}
	}

	t0 := time.Now()
	err = a.model.Fit(ctx, a.train.X, a.train.Y, a.train.Classes())
	a.res.FitSeconds = time.Since(t0).Seconds()
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Stopped, not failed; the cause names the signal when a command's
		// context carries one.
		return fail(store.StatusKilled, fmt.Errorf("autolog: training stopped; run %s is marked KILLED: %w", a.run.ID(), context.Cause(ctx)))
	}
	if err != nil {
		return fail(tracking.ErrorStatus(ctx), fmt.Errorf("autolog: training failed in run %s: %w", a.run.ID(), err))
	}

	ev, err := a.evaluate()
	if err != nil {
		return fail(store.StatusFailed, err)
	}
	a.res.ev = ev

	err = a.logAfterTraining(ctx, ev)
	if err != nil && a.spooled(ctx, err) {
		err = a.logAfterTraining(ctx, ev)
	}
	if err != nil {
		where, serr := a.saveLocally()
		if serr != nil {
			err = fmt.Errorf("autolog: recording run %s failed after training, and the model could not be saved locally either: %w", a.run.ID(), errors.Join(err, serr))
		} else {
			a.res.LocalModelPath = where
			err = fmt.Errorf("autolog: recording run %s failed after training; the trained model is saved at %s: %w", a.run.ID(), where, err)
		}
		return fail(tracking.ErrorStatus(ctx), err)
	}
	if a.own {
		// Everything is recorded, so the run is FINISHED even if ctx was
		// cancelled this very moment.
		err := a.run.End(context.WithoutCancel(ctx), store.StatusFinished)
		if err != nil && a.spooled(ctx, err) {
			// Recorded whole on the server but not ended there: the spool
			// gets the whole run, ended, for cmd/sync to end the server's.
			if err = a.logAfterTraining(ctx, ev); err == nil {
				err = a.run.End(context.WithoutCancel(ctx), store.StatusFinished)
			}
		}
		if err != nil {
			return a.res, fmt.Errorf("autolog: end run %s: %w", a.run.ID(), err)
		}
	}
	return a.res, nil
}

// logBeforeTraining records what is known before training, as MLflow's
// autolog does: params, estimator tags and the dataset inputs, so a run
// that fails still says what it tried.
func (a *autolog) logBeforeTraining(ctx context.Context) error {
	params := map[string]string{}
	for k, v := range a.model.Params() {
		params[k] = v
	}
	for k, v := range a.opts.Params {
		if mv, ok := params[k]; ok && mv != v {
			return fmt.Errorf("autolog: param %q is %q in Options.Params but the model reports %q", k, v, mv)
		}
		params[k] = v
	}
	tags := map[string]string{
		TagEstimatorName:        estimatorName(a.model),
		TagEstimatorClass:       estimatorClass(a.model),
		tracking.TagAutologging: Autologging,
	}
	if !a.own {
		for k, v := range a.opts.Tags {
			tags[k] = v
		}
	}
	if err := a.run.LogParams(ctx, params); err != nil {
		return fmt.Errorf("autolog: %w", err)
	}
	if err := a.run.SetTags(ctx, tags); err != nil {
		return fmt.Errorf("autolog: %w", err)
	}
	r, err := a.c.GetRun(ctx, a.run.ID())
	if err != nil {
		return fmt.Errorf("autolog: %w", err)
	}
	a.sourceTags = map[string]string{}
	for _, k := range []string{tracking.TagUser, tracking.TagSourceName, tracking.TagSourceType} {
		if v, ok := r.Tag(k); ok {
			a.sourceTags[k] = v
		}
	}
	inputs := []store.DatasetInput{a.datasetInput(a.train, "train")}
	if a.test != nil {
		inputs = append(inputs, a.datasetInput(a.test, "test"))
	}
	a.dropLongSchemas(inputs)
	if err := a.run.LogInputs(ctx, inputs...); err != nil {
		return fmt.Errorf("autolog: %w", err)
	}
	return nil
}

// saveLocally writes the trained model as the logged model would have
// held it, its model file and an MLmodel naming its classes and signature,
// into a folder grove-model-<run id> in FallbackDir (or the working
// directory, or the temp folder), and returns the folder's path.
func (a *autolog) saveLocally() (string, error) {
	sv, ok := a.model.(models.Saver)
	if !ok {
		return "", fmt.Errorf("autolog: %T has no Save method", a.model)
	}
	var buf bytes.Buffer
	if err := sv.Save(&buf); err != nil {
		return "", fmt.Errorf("autolog: save model: %w", err)
	}
	mm := a.mlmodel(sv, "", "", int64(buf.Len())).Marshal()
	name := "grove-model-" + a.run.ID()
	dirs := []string{a.opts.FallbackDir, os.TempDir()}
	if a.opts.FallbackDir == "" {
		dirs[0] = "."
	}
	var errs []error
	for _, dir := range dirs {
		p, err := filepath.Abs(filepath.Join(dir, name))
		if err == nil {
			err = os.MkdirAll(p, 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(p, ModelFile), buf.Bytes(), 0o644)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(p, "MLmodel"), mm, 0o644)
		}
		if err == nil {
			return p, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

func goVersion() string { return runtime.Version() }
