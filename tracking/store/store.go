package store

import (
	"context"
	"io"
	"strconv"
)

// Store is where runs are recorded: MLflow's SQLite schema (package
// tracking/sqlstore) or an MLflow tracking server (package tracking/rest).
// Every method is safe for concurrent use. Not-found, already-exists and
// invalid-value failures are *Error values that match ErrNotFound,
// ErrAlreadyExists and ErrInvalidParameter with errors.Is.
type Store interface {
	// CreateExperiment creates an active experiment. An empty artifactLocation
	// means the store's default (<artifact root>/<experiment id>).
	CreateExperiment(ctx context.Context, name, artifactLocation string, tags []Tag) (id string, err error)
	GetExperiment(ctx context.Context, id string) (*Experiment, error)
	GetExperimentByName(ctx context.Context, name string) (*Experiment, error)
	SetExperimentTag(ctx context.Context, experimentID, key, value string) error

	// CreateRun starts a run in status RUNNING; the store sets the run id,
	// artifact URI and the mlflow.runName tag.
	CreateRun(ctx context.Context, req CreateRunRequest) (*Run, error)
	// UpdateRun sets a run's status and end time (0 leaves it unset) and, when
	// runName is not empty, its name.
	UpdateRun(ctx context.Context, runID string, status RunStatus, endTime int64, runName string) (*RunInfo, error)
	GetRun(ctx context.Context, runID string) (*Run, error)
	// SearchRuns lists the runs of experiments that q's view type sees and
	// its filter selects, in its order (newest start time first unless it
	// says otherwise), a page at a time; an empty next token means the
	// last page.
	SearchRuns(ctx context.Context, q RunQuery) (runs []*Run, next string, err error)
	// LogBatch records metrics, params and tags in one request, within
	// MLflow's limits (MaxBatchMetrics, MaxBatchParams, MaxBatchTags,
	// MaxBatchItems); callers split larger batches.
	LogBatch(ctx context.Context, runID string, metrics []Metric, params []Param, tags []Tag) error
	// GetMetricHistory returns every point of a run's metric, in ComparePoints
	// order.
	GetMetricHistory(ctx context.Context, runID, key string) ([]Metric, error)
	// LogInputs links datasets and models a run used.
	LogInputs(ctx context.Context, runID string, datasets []DatasetInput, models []ModelIO) error
	// LogOutputs links models a run produced.
	LogOutputs(ctx context.Context, runID string, models []ModelIO) error

	// CreateLoggedModel creates a logged model in status ModelPending.
	CreateLoggedModel(ctx context.Context, req CreateLoggedModelRequest) (*LoggedModel, error)
	FinalizeLoggedModel(ctx context.Context, modelID string, status ModelStatus) (*LoggedModel, error)
	GetLoggedModel(ctx context.Context, modelID string) (*LoggedModel, error)

	// Artifacts returns the repository behind an artifact URI, as a run's
	// ArtifactURI or a logged model's ArtifactLocation names it.
	Artifacts(ctx context.Context, artifactURI string) (ArtifactRepo, error)

	// Close releases the store's connections.
	Close() error
}

// WholeBatcher is implemented by stores that record a batch of any size in
// one transaction, all of it or none (the SQLite store). MLflow's limits on
// a batch belong to its REST protocol; through this interface a caller sends
// thousands of points at once, faster than in requests of MaxBatchMetrics,
// and a failure leaves none of them recorded.
type WholeBatcher interface {
	// LogWholeBatch is LogBatch without the limits on how many metrics,
	// params and tags one call holds; keys and values are checked as
	// LogBatch checks them.
	LogWholeBatch(ctx context.Context, runID string, metrics []Metric, params []Param, tags []Tag) error
}

// CreateRunRequest says how to start a run.
type CreateRunRequest struct {
	ExperimentID string
	UserID       string
	RunName      string // empty: the store generates one, as MLflow does
	StartTime    int64  // ms since the Unix epoch
	Tags         []Tag
}

// RunQuery selects runs for SearchRuns. Filter and OrderBy are MLflow's
// search syntax (package tracking/search parses them), e.g. Filter
// "metrics.acc > 0.9 and params.criterion = 'gini'" and OrderBy
// ["metrics.acc DESC"]; empty, they select every run of the view, newest
// start time first.
type RunQuery struct {
	ExperimentIDs []string
	Filter        string
	OrderBy       []string
	ViewType      ViewType // zero: ViewActiveOnly
	MaxResults    int      // 0: the store's default page size (1000)
	PageToken     string   // from the previous page
}

// ViewType says which lifecycle stages a search sees, as MLflow's
// run_view_type does; its values are MLflow's enum numbers.
type ViewType int

// The view types MLflow knows. The zero value reads as ViewActiveOnly.
const (
	ViewActiveOnly  ViewType = 1
	ViewDeletedOnly ViewType = 2
	ViewAll         ViewType = 3
)

// String returns the view type as MLflow's REST API names it.
func (v ViewType) String() string {
	switch v {
	case 0, ViewActiveOnly:
		return "ACTIVE_ONLY"
	case ViewDeletedOnly:
		return "DELETED_ONLY"
	case ViewAll:
		return "ALL"
	}
	return "ViewType(" + strconv.Itoa(int(v)) + ")"
}

// Sees reports whether a search of view type v includes an experiment or
// run in the lifecycle stage lifecycle.
func (v ViewType) Sees(lifecycle string) bool {
	switch v {
	case 0, ViewActiveOnly:
		return lifecycle == LifecycleActive
	case ViewDeletedOnly:
		return lifecycle == LifecycleDeleted
	case ViewAll:
		return lifecycle == LifecycleActive || lifecycle == LifecycleDeleted
	}
	return false
}

// ParseViewType reads a view type as MLflow spells it (ACTIVE_ONLY,
// DELETED_ONLY, ALL) or numbers it (1, 2, 3); an empty name is
// ViewActiveOnly.
func ParseViewType(name string) (ViewType, error) {
	switch name {
	case "", "ACTIVE_ONLY", "1":
		return ViewActiveOnly, nil
	case "DELETED_ONLY", "2":
		return ViewDeletedOnly, nil
	case "ALL", "3":
		return ViewAll, nil
	}
	return 0, Errorf(CodeInvalidParameter, "Invalid view_type %q: it must be ACTIVE_ONLY, DELETED_ONLY or ALL", name)
}

// CreateLoggedModelRequest says how to create a logged model.
type CreateLoggedModelRequest struct {
	ExperimentID string
	Name         string
	ModelType    string
	SourceRunID  string
	Params       []Param
	Tags         []Tag
}

// ArtifactRepo reads and writes the files under one artifact root. Paths are
// relative to the root, '/'-separated, and never leave it.
type ArtifactRepo interface {
	// Put writes r to path, creating folders as needed. A reader never sees a
	// half-written file under its real name.
	Put(ctx context.Context, path string, r io.Reader) error
	// List returns the files and folders directly under dir ("" for the root),
	// sorted by path.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	// Open returns the contents of the file at path.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
}
