package store

import "context"

// Manager is implemented by stores that also offer what MLflow's tracking
// server does beyond recording runs: deleting and restoring runs and
// experiments, renaming experiments, removing tags, searching experiments
// and logged models, and adding params and tags to logged models. It is a
// separate interface so that a store without these operations is still a
// Store; the server answers MLflow's NOT_IMPLEMENTED for them.
type Manager interface {
	// DeleteRun marks a run deleted; RestoreRun makes it active again.
	DeleteRun(ctx context.Context, runID string) error
	RestoreRun(ctx context.Context, runID string) error
	// DeleteTag removes a tag from an active run; a missing tag is
	// ErrNotFound, as in MLflow.
	DeleteTag(ctx context.Context, runID, key string) error

	// DeleteExperiment marks an experiment and its runs deleted;
	// RestoreExperiment makes them active again. The Default experiment
	// "0" cannot be deleted.
	DeleteExperiment(ctx context.Context, id string) error
	RestoreExperiment(ctx context.Context, id string) error
	// RenameExperiment gives an active experiment a new, unused name.
	RenameExperiment(ctx context.Context, id, name string) error
	// DeleteExperimentTag removes a tag from an active experiment.
	DeleteExperimentTag(ctx context.Context, id, key string) error
	// SearchExperiments lists experiments, a page at a time; an empty next
	// token means the last page.
	SearchExperiments(ctx context.Context, q ExperimentQuery) (exps []*Experiment, next string, err error)

	// SearchLoggedModels lists the logged models of experiments, newest
	// first, a page at a time.
	SearchLoggedModels(ctx context.Context, q LoggedModelQuery) (models []*LoggedModel, next string, err error)
	// LogLoggedModelParams adds params to a logged model.
	LogLoggedModelParams(ctx context.Context, modelID string, params []Param) error
	// SetLoggedModelTags sets or replaces tags of a logged model.
	SetLoggedModelTags(ctx context.Context, modelID string, tags []Tag) error
	// DeleteLoggedModelTag removes a tag from a logged model.
	DeleteLoggedModelTag(ctx context.Context, modelID, key string) error
}

// MaxSearchResults is the largest page MLflow's searches return.
const MaxSearchResults = 50000

// ExperimentQuery selects experiments for SearchExperiments.
type ExperimentQuery struct {
	ViewType   ViewType
	MaxResults int    // 0: 1000; at most MaxSearchResults
	PageToken  string // from the previous page
	// Filter is MLflow's experiment filter ("name LIKE 'a%' AND tags.x = 'y'");
	// a store that cannot evaluate it refuses it with ErrInvalidParameter.
	Filter string
	// OrderBy is MLflow's experiment order_by ("last_update_time DESC");
	// empty, MLflow's default: newest creation time first, then by id.
	OrderBy []string
}

// LoggedModelQuery selects logged models for SearchLoggedModels.
type LoggedModelQuery struct {
	ExperimentIDs []string
	MaxResults    int    // 0: 100
	PageToken     string // from the previous page
	// Filter is MLflow's logged-model filter ("name = 'tree' AND
	// metrics.acc > 0.9"); a store that cannot evaluate it refuses it with
	// ErrInvalidParameter.
	Filter string
	// OrderBy lists the keys models are sorted by ("creation_time",
	// "metrics.acc"); empty, newest first, then by id.
	OrderBy []LoggedModelOrder
}

// LoggedModelOrder is one key of a logged-model search's order.
type LoggedModelOrder struct {
	Field     string
	Ascending bool
}
