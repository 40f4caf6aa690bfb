package tracking

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// MLflow's system tag keys that grove writes.
const (
	TagRunName     = store.TagRunName
	TagUser        = "mlflow.user"
	TagSourceName  = "mlflow.source.name"
	TagSourceType  = "mlflow.source.type"
	TagGitCommit   = "mlflow.source.git.commit"
	TagAutologging = "mlflow.autologging"
	// TagDataContext on a dataset input says how the run used the data.
	TagDataContext = "mlflow.data.context"
)

// SourceLocal is the mlflow.source.type of a program run on the user's machine.
const SourceLocal = "LOCAL"

// Client is what users hold: one store, behind an API that validates
// everything with MLflow's rules before it reaches the store, splits batches
// to MLflow's limits and fills in what MLflow's own client would (run names,
// timestamps, the mlflow.user and mlflow.source.* tags). It is safe for
// concurrent use when its store is.
type Client struct {
	store store.Store
	uri   string
	now   func() time.Time
	log   *log.Logger // warnings; nil for none
}

// NewClient wraps a store that is already open. uri only labels the client
// (URI returns it); it may be empty.
func NewClient(s store.Store, uri string) *Client {
	return &Client{store: s, uri: uri, now: time.Now, log: log.Default()}
}

// SetLogger sets where the client prints its warnings, such as a param or
// tag value cut to MLflow's limit: the standard logger unless set, nowhere
// when l is nil. Set it before the client is used.
func (c *Client) SetLogger(l *log.Logger) { c.log = l }

func (c *Client) warn(warnings []string) {
	if c.log == nil {
		return
	}
	for _, w := range warnings {
		c.log.Print(w)
	}
}

// Store returns the store the client writes to.
func (c *Client) Store() store.Store { return c.store }

// URI returns the tracking URI the client was opened with.
func (c *Client) URI() string { return c.uri }

// Close closes the store.
func (c *Client) Close() error { return c.store.Close() }

func (c *Client) nowMillis() int64 { return c.now().UnixMilli() }

// GetOrCreateExperiment returns the active experiment called name, creating
// it when there is none. Two processes racing to create it both end up with
// the same experiment.
func (c *Client) GetOrCreateExperiment(ctx context.Context, name string) (*store.Experiment, error) {
	if err := ValidateExperimentName(name); err != nil {
		return nil, err
	}
	exp, err := c.store.GetExperimentByName(ctx, name)
	if err == nil {
		if exp.LifecycleStage == store.LifecycleDeleted {
			return nil, fmt.Errorf("tracking: experiment %q (id %s) is deleted; restore it in MLflow or choose another name", name, exp.ID)
		}
		return exp, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("tracking: get experiment %q: %w", name, err)
	}
	id, err := c.store.CreateExperiment(ctx, name, "", nil)
	if errors.Is(err, store.ErrAlreadyExists) {
		// Another process created it between our two calls.
		exp, err = c.store.GetExperimentByName(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("tracking: get experiment %q: %w", name, err)
		}
		return exp, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tracking: create experiment %q: %w", name, err)
	}
	exp, err = c.store.GetExperiment(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("tracking: get experiment %s: %w", id, err)
	}
	return exp, nil
}

// RunOptions says how to start a run. The zero value gives a run with a
// generated name, the current user, mlflow.source.type LOCAL and the
// program's name as mlflow.source.name.
type RunOptions struct {
	Name       string            // mlflow.runName; generated (e.g. "brave-owl-417") when empty
	User       string            // mlflow.user and the run's user id; the OS user when empty
	SourceName string            // mlflow.source.name; the program's file name when empty
	SourceType string            // mlflow.source.type; LOCAL when empty
	GitCommit  string            // mlflow.source.git.commit; not set when empty
	Tags       map[string]string // more tags; these win over the ones above
	StartTime  time.Time         // now when zero
}

// StartRun starts a run in experiment experimentID in status RUNNING.
func (c *Client) StartRun(ctx context.Context, experimentID string, opts RunOptions) (*Run, error) {
	if experimentID == "" {
		return nil, invalid("start run: no experiment id")
	}
	name := opts.Name
	if name == "" {
		name = store.GenerateRunName()
	}
	userName := opts.User
	if userName == "" {
		userName = CurrentUser()
	}
	sourceName := opts.SourceName
	if sourceName == "" {
		sourceName = filepath.Base(os.Args[0])
	}
	sourceType := opts.SourceType
	if sourceType == "" {
		sourceType = SourceLocal
	}
	tags := map[string]string{
		TagRunName:    name,
		TagUser:       userName,
		TagSourceName: sourceName,
		TagSourceType: sourceType,
	}
	if opts.GitCommit != "" {
		tags[TagGitCommit] = opts.GitCommit
	}
	for k, v := range opts.Tags {
		tags[k] = v
	}
	_, list, warnings, err := truncateLong(fmt.Sprintf("of new run %q", name), nil, sortedTags(tags))
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if err := ValidateTag(t.Key, t.Value); err != nil {
			return nil, err
		}
	}
	c.warn(warnings)
	start := opts.StartTime
	if start.IsZero() {
		start = c.now()
	}
	run, err := c.store.CreateRun(ctx, store.CreateRunRequest{
		ExperimentID: experimentID,
		UserID:       userName,
		RunName:      name,
		StartTime:    start.UnixMilli(),
		Tags:         list,
	})
	if err != nil {
		return nil, fmt.Errorf("tracking: start run %q in experiment %s: %w", name, experimentID, err)
	}
	return &Run{c: c, info: run.Info}, nil
}

// Run returns a handle on an existing run, to log more to it or end it.
func (c *Client) Run(ctx context.Context, runID string) (*Run, error) {
	r, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	return &Run{c: c, info: r.Info}, nil
}

// GetRun returns a run with everything it recorded.
func (c *Client) GetRun(ctx context.Context, runID string) (*store.Run, error) {
	if runID == "" {
		return nil, invalid("get run: no run id")
	}
	r, err := c.store.GetRun(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("tracking: get run %s: %w", runID, err)
	}
	return r, nil
}

// SearchRuns returns every active run of the experiments, newest first,
// reading all pages.
func (c *Client) SearchRuns(ctx context.Context, experimentIDs ...string) ([]*store.Run, error) {
	return c.SearchRunsWith(ctx, SearchRunsOptions{}, experimentIDs...)
}

// SearchRunsOptions says which runs SearchRunsWith returns and in which
// order, in MLflow's search syntax (package tracking/search). The zero
// value returns every active run, newest first.
type SearchRunsOptions struct {
	// Filter keeps the runs that pass every clause, such as
	// "metrics.acc > 0.9 and params.criterion = 'gini'".
	Filter string
	// OrderBy orders the runs, such as ["metrics.acc DESC"]; ties, and an
	// empty OrderBy, fall to the newest start time first, then run id.
	OrderBy []string
	// ViewType says whether deleted runs are seen; zero: active runs only.
	ViewType store.ViewType
	// MaxResults is how many runs to return at most; zero: every run.
	MaxResults int
}

// SearchRunsWith returns the runs of the experiments that opts selects, in
// its order, reading as many pages as it needs. A filter or order the
// grammar refuses fails with MLflow's INVALID_PARAMETER_VALUE message.
func (c *Client) SearchRunsWith(ctx context.Context, opts SearchRunsOptions, experimentIDs ...string) ([]*store.Run, error) {
	if len(experimentIDs) == 0 {
		return nil, invalid("search runs: no experiment id")
	}
	if opts.MaxResults < 0 {
		return nil, invalid("search runs: max results %d is negative", opts.MaxResults)
	}
	q := store.RunQuery{ExperimentIDs: experimentIDs, Filter: opts.Filter, OrderBy: opts.OrderBy, ViewType: opts.ViewType}
	var runs []*store.Run
	var err error
	if opts.MaxResults == 0 {
		runs, err = store.AllRuns(ctx, c.store, q)
	} else {
		runs, err = firstRuns(ctx, c.store, q, opts.MaxResults)
	}
	if err != nil {
		return nil, fmt.Errorf("tracking: search runs of experiments %v: %w", experimentIDs, err)
	}
	return runs, nil
}

// firstRuns returns the first n runs q selects, in pages of at most
// store.ListPageSize.
func firstRuns(ctx context.Context, s store.Store, q store.RunQuery, n int) ([]*store.Run, error) {
	var out []*store.Run
	for len(out) < n {
		q.MaxResults = min(n-len(out), store.ListPageSize)
		runs, next, err := s.SearchRuns(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, runs...)
		if next == "" {
			break
		}
		if next == q.PageToken {
			return nil, fmt.Errorf("store returned page token %q twice", next)
		}
		q.PageToken = next
	}
	return out[:min(n, len(out))], nil
}

// MetricHistory returns every point of a run's metric, in step order.
func (c *Client) MetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	if err := ValidateKey("metric", key); err != nil {
		return nil, err
	}
	h, err := c.store.GetMetricHistory(ctx, runID, key)
	if err != nil {
		return nil, fmt.Errorf("tracking: history of metric %q of run %s: %w", key, runID, err)
	}
	return h, nil
}

// LogBatch records metrics, params and tags on a run. Everything is checked
// first, so an invalid item logs nothing; then the items are sent in as
// many requests as MLflow's batch limits need, or, to a store.WholeBatcher
// (the SQLite store), in one transaction per 100,000 points, each recorded
// whole or not at all. A metric's zero timestamp is replaced by the current
// time.
func (c *Client) LogBatch(ctx context.Context, runID string, metrics []store.Metric, params []store.Param, tags []store.Tag) error {
	if runID == "" {
		return invalid("log batch: no run id")
	}
	now := c.nowMillis()
	ms := make([]store.Metric, len(metrics))
	for i, m := range metrics {
		if m.Timestamp == 0 {
			m.Timestamp = now
		}
		ms[i] = m
	}
	params, tags, warnings, err := truncateLong("of run "+runID, params, tags)
	if err != nil {
		return err
	}
	params, err = validateBatch(ms, params, tags)
	if err != nil {
		return err
	}
	c.warn(warnings)
	if wb, ok := c.store.(store.WholeBatcher); ok {
		for first := true; first || len(ms) > 0; first = false {
			n := min(len(ms), maxWholeBatch)
			if err := wb.LogWholeBatch(ctx, runID, ms[:n], params, tags); err != nil {
				return fmt.Errorf("tracking: log to run %s: %w", runID, err)
			}
			ms, params, tags = ms[n:], nil, nil
		}
		return nil
	}
	for _, b := range store.SplitBatch(ms, params, tags) {
		if err := c.store.LogBatch(ctx, runID, b.Metrics, b.Params, b.Tags); err != nil {
			return fmt.Errorf("tracking: log to run %s: %w", runID, err)
		}
	}
	return nil
}

// maxWholeBatch is the most metric points sent to a store.WholeBatcher in
// one call. A transaction holds the database's write lock while it runs,
// about a second per 100,000 points, and the other processes of a sweep
// wait for it at most the SQLite store's busy timeout (20 s).
const maxWholeBatch = 100_000

// LogMetrics adds metrics to any existing run, finished or not, at step 0
// with the current time: MLflow's way of recording numbers computed later,
// such as accuracy on a data set the model never saw. Names follow MLflow's
// key rules; any float64 is a valid value (NaN and ±Inf too, as in MLflow).
// Keys are logged in sorted order.
func (c *Client) LogMetrics(ctx context.Context, runID string, values map[string]float64) error {
	if len(values) == 0 {
		return invalid("log metrics to run %s: no metrics given", runID)
	}
	now := c.nowMillis()
	ms := make([]store.Metric, 0, len(values))
	for _, k := range sortedKeys(values) {
		ms = append(ms, store.Metric{Key: k, Value: values[k], Timestamp: now})
	}
	return c.LogBatch(ctx, runID, ms, nil, nil)
}

func sortedTags(m map[string]string) []store.Tag {
	out := make([]store.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, store.Tag{Key: k, Value: m[k]})
	}
	return out
}

func sortedParams(m map[string]string) []store.Param {
	out := make([]store.Param, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, store.Param{Key: k, Value: m[k]})
	}
	return out
}

// sortedKeys returns m's keys in order, so that what grove logs from a map
// comes out the same every time.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// CurrentUser returns the user name MLflow's client would record: $LOGNAME,
// $USER, $LNAME or $USERNAME (the order Python's getpass reads them), else
// the OS account, else "unknown".
func CurrentUser() string {
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
