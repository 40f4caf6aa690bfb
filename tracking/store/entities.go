package store

import "cmp"

// Lifecycle stages of experiments and runs.
const (
	LifecycleActive  = "active"
	LifecycleDeleted = "deleted"
)

// Experiment is a named group of runs.
type Experiment struct {
	ID               string // decimal integer, sent as a string as MLflow does
	Name             string
	ArtifactLocation string
	LifecycleStage   string
	CreationTime     int64 // ms since the Unix epoch
	LastUpdateTime   int64 // ms since the Unix epoch
	Tags             map[string]string
}

// RunStatus is a run's state, spelled as MLflow spells it.
type RunStatus string

// The run statuses MLflow knows.
const (
	StatusRunning   RunStatus = "RUNNING"
	StatusScheduled RunStatus = "SCHEDULED"
	StatusFinished  RunStatus = "FINISHED"
	StatusFailed    RunStatus = "FAILED"
	StatusKilled    RunStatus = "KILLED"
)

// Valid reports whether s is one of MLflow's run statuses.
func (s RunStatus) Valid() bool {
	switch s {
	case StatusRunning, StatusScheduled, StatusFinished, StatusFailed, StatusKilled:
		return true
	}
	return false
}

// Terminal reports whether a run in status s has ended.
func (s RunStatus) Terminal() bool {
	return s == StatusFinished || s == StatusFailed || s == StatusKilled
}

// RunInfo is a run's identity and state.
type RunInfo struct {
	RunID          string // 32 lowercase hex digits
	RunName        string
	ExperimentID   string
	UserID         string
	Status         RunStatus
	StartTime      int64 // ms since the Unix epoch
	EndTime        int64 // ms since the Unix epoch; 0 while the run is not ended
	ArtifactURI    string
	LifecycleStage string
}

// Metric is one point of a metric's history.
type Metric struct {
	Key       string
	Value     float64 // NaN and ±Inf are allowed, as in MLflow
	Timestamp int64   // ms since the Unix epoch
	Step      int64
	// ModelID, when set, attaches the point to that logged model too (MLflow 3),
	// with the dataset it was computed on.
	ModelID       string
	DatasetName   string
	DatasetDigest string
}

// ComparePoints orders the points of a metric's history as MLflow does: by
// step, then timestamp, then value (NaN before every number). MLflow's
// latest value compares NaN as the 0 it stores, so among points of one step
// and timestamp, the last in this order need not be the latest.
func ComparePoints(a, b Metric) int {
	return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.Value, b.Value))
}

// Param is a hyper-parameter; once logged, a run's param never changes value.
type Param struct {
	Key   string
	Value string
}

// Tag is a mutable key-value label on a run, experiment or logged model.
type Tag struct {
	Key   string
	Value string
}

// RunData is what a run has recorded. Metrics holds the latest point of each
// key, chosen as MLflow chooses: the largest (step, timestamp, value).
type RunData struct {
	Metrics []Metric
	Params  []Param
	Tags    []Tag
}

// Dataset describes data a run used, as MLflow's dataset entity.
type Dataset struct {
	Name       string
	Digest     string
	SourceType string // e.g. "local", "code"
	Source     string // JSON, e.g. {"uri": "iris.csv"}
	Schema     string // JSON, e.g. an mlflow_colspec schema
	Profile    string // JSON, e.g. {"num_rows": 120, "num_elements": 480}
}

// DatasetInput links a dataset to a run; the tag mlflow.data.context says how
// the run used it (train, test, eval).
type DatasetInput struct {
	Dataset Dataset
	Tags    []Tag
}

// ModelIO links a logged model to a run: an input the run read or an output
// it produced, at a step.
type ModelIO struct {
	ModelID string
	Step    int64
}

// RunInputs are the datasets and models a run read.
type RunInputs struct {
	Datasets []DatasetInput
	Models   []ModelIO
}

// RunOutputs are the models a run produced.
type RunOutputs struct {
	Models []ModelIO
}

// Run is a run with everything it recorded.
type Run struct {
	Info    RunInfo
	Data    RunData
	Inputs  RunInputs
	Outputs RunOutputs
}

// Param returns the value of the param key and whether the run has it.
func (r *Run) Param(key string) (string, bool) {
	for _, p := range r.Data.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Tag returns the value of the tag key and whether the run has it.
func (r *Run) Tag(key string) (string, bool) {
	for _, t := range r.Data.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// Metric returns the latest point of the metric key and whether the run has it.
func (r *Run) Metric(key string) (Metric, bool) {
	for _, m := range r.Data.Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// ModelStatus is a logged model's state. MLflow stores it as an integer
// (1, 2, 3) and names it on the wire (LOGGED_MODEL_READY, ...).
type ModelStatus int

// The logged model statuses MLflow knows.
const (
	ModelPending ModelStatus = 1
	ModelReady   ModelStatus = 2
	ModelFailed  ModelStatus = 3
)

// String returns the status as MLflow's REST API names it.
func (s ModelStatus) String() string {
	switch s {
	case ModelPending:
		return "LOGGED_MODEL_PENDING"
	case ModelReady:
		return "LOGGED_MODEL_READY"
	case ModelFailed:
		return "LOGGED_MODEL_UPLOAD_FAILED"
	}
	return "LOGGED_MODEL_STATUS_UNSPECIFIED"
}

// LoggedModel is an MLflow 3 logged model: a model with its own id, files and
// metadata, produced by a source run.
type LoggedModel struct {
	ModelID          string // "m-" and 32 lowercase hex digits
	ExperimentID     string
	Name             string
	ArtifactLocation string // <experiment artifact location>/models/<model id>/artifacts
	CreationTime     int64  // ms since the Unix epoch
	LastUpdatedTime  int64  // ms since the Unix epoch
	Status           ModelStatus
	ModelType        string
	SourceRunID      string
	Params           []Param
	Tags             []Tag
	Metrics          []Metric
}

// FileInfo describes one artifact: a file or a folder, its path relative to
// the artifact root, with '/' as separator.
type FileInfo struct {
	Path  string
	IsDir bool
	Size  int64 // bytes; 0 for folders
}
