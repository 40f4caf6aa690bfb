package api

import (
	"cmp"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// Conversions between the wire and the store's entities. Empty lists become
// nil, so that they are left out of the JSON as MLflow leaves them out.

// TagsOf returns tags as the wire carries them.
func TagsOf(tags []store.Tag) []Tag {
	if len(tags) == 0 {
		return nil
	}
	w := make([]Tag, len(tags))
	for i, t := range tags {
		w[i] = Tag(t)
	}
	return w
}

// ParamsOf returns params as the wire carries them.
func ParamsOf(params []store.Param) []Param {
	if len(params) == 0 {
		return nil
	}
	w := make([]Param, len(params))
	for i, p := range params {
		w[i] = Param(p)
	}
	return w
}

// MetricsOf returns metric points as the wire carries them.
func MetricsOf(ms []store.Metric) []Metric {
	if len(ms) == 0 {
		return nil
	}
	w := make([]Metric, len(ms))
	for i, m := range ms {
		w[i] = MetricOf(m)
	}
	return w
}

// MetricOf returns one metric point as the wire carries it.
func MetricOf(m store.Metric) Metric {
	return Metric{
		Key: m.Key, Value: Float(m.Value), Timestamp: Int(m.Timestamp), Step: Int(m.Step),
		ModelID: m.ModelID, DatasetName: m.DatasetName, DatasetDigest: m.DatasetDigest,
	}
}

// StoreTags returns wire tags as the store's.
func StoreTags(w []Tag) []store.Tag {
	if len(w) == 0 {
		return nil
	}
	tags := make([]store.Tag, len(w))
	for i, t := range w {
		tags[i] = store.Tag(t)
	}
	return tags
}

// StoreParams returns wire params as the store's.
func StoreParams(w []Param) []store.Param {
	if len(w) == 0 {
		return nil
	}
	ps := make([]store.Param, len(w))
	for i, p := range w {
		ps[i] = store.Param(p)
	}
	return ps
}

// StoreMetrics returns wire metric points as the store's.
func StoreMetrics(w []Metric) []store.Metric {
	if len(w) == 0 {
		return nil
	}
	ms := make([]store.Metric, len(w))
	for i, m := range w {
		ms[i] = store.Metric{
			Key: m.Key, Value: float64(m.Value), Timestamp: int64(m.Timestamp), Step: int64(m.Step),
			ModelID: m.ModelID, DatasetName: m.DatasetName, DatasetDigest: m.DatasetDigest,
		}
	}
	return ms
}

// Entity returns the experiment as the store's.
func (w *Experiment) Entity() *store.Experiment {
	tags := map[string]string{}
	for _, t := range w.Tags {
		tags[t.Key] = t.Value
	}
	return &store.Experiment{
		ID:               w.ExperimentID,
		Name:             w.Name,
		ArtifactLocation: w.ArtifactLocation,
		LifecycleStage:   w.LifecycleStage,
		CreationTime:     int64(w.CreationTime),
		LastUpdateTime:   int64(w.LastUpdateTime),
		Tags:             tags,
	}
}

// ExperimentOf returns an experiment as the wire carries it, tags sorted by
// key (the store keeps them in a map).
func ExperimentOf(e *store.Experiment) Experiment {
	w := Experiment{
		ExperimentID:     e.ID,
		Name:             e.Name,
		ArtifactLocation: e.ArtifactLocation,
		LifecycleStage:   e.LifecycleStage,
		CreationTime:     Int(e.CreationTime),
		LastUpdateTime:   Int(e.LastUpdateTime),
	}
	for k, v := range e.Tags {
		w.Tags = append(w.Tags, Tag{Key: k, Value: v})
	}
	slices.SortFunc(w.Tags, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return w
}

// Entity returns the run info as the store's; RunUUID stands in for a
// missing RunID.
func (w *RunInfo) Entity() store.RunInfo {
	return store.RunInfo{
		RunID:          cmp.Or(w.RunID, w.RunUUID),
		RunName:        w.RunName,
		ExperimentID:   w.ExperimentID,
		UserID:         w.UserID,
		Status:         store.RunStatus(w.Status),
		StartTime:      int64(w.StartTime),
		EndTime:        int64(w.EndTime),
		ArtifactURI:    w.ArtifactURI,
		LifecycleStage: w.LifecycleStage,
	}
}

// RunInfoOf returns run info as the wire carries it, with both names of the
// run id.
func RunInfoOf(ri store.RunInfo) RunInfo {
	return RunInfo{
		RunUUID:        ri.RunID,
		RunID:          ri.RunID,
		ExperimentID:   ri.ExperimentID,
		RunName:        ri.RunName,
		UserID:         ri.UserID,
		Status:         string(ri.Status),
		StartTime:      Int(ri.StartTime),
		EndTime:        Int(ri.EndTime),
		ArtifactURI:    ri.ArtifactURI,
		LifecycleStage: ri.LifecycleStage,
	}
}

// Entity returns the run as the store's.
func (w *Run) Entity() *store.Run {
	r := &store.Run{
		Info: w.Info.Entity(),
		Data: store.RunData{
			Metrics: StoreMetrics(w.Data.Metrics),
			Params:  StoreParams(w.Data.Params),
			Tags:    StoreTags(w.Data.Tags),
		},
	}
	for _, in := range w.Inputs.DatasetInputs {
		r.Inputs.Datasets = append(r.Inputs.Datasets, store.DatasetInput{
			Dataset: store.Dataset(in.Dataset),
			Tags:    StoreTags(in.Tags),
		})
	}
	for _, m := range w.Inputs.ModelInputs {
		r.Inputs.Models = append(r.Inputs.Models, store.ModelIO{ModelID: m.ModelID})
	}
	if w.Outputs != nil {
		for _, m := range w.Outputs.ModelOutputs {
			r.Outputs.Models = append(r.Outputs.Models, store.ModelIO{ModelID: m.ModelID, Step: int64(m.Step)})
		}
	}
	return r
}

// RunOf returns a run as runs/get and runs/search answer it, outputs
// included.
func RunOf(r *store.Run) Run {
	w := Run{
		Info: RunInfoOf(r.Info),
		Data: RunData{
			Metrics: MetricsOf(r.Data.Metrics),
			Params:  ParamsOf(r.Data.Params),
			Tags:    TagsOf(r.Data.Tags),
		},
		Outputs: &RunOutputs{},
	}
	for _, in := range r.Inputs.Datasets {
		w.Inputs.DatasetInputs = append(w.Inputs.DatasetInputs, DatasetInput{Tags: TagsOf(in.Tags), Dataset: Dataset(in.Dataset)})
	}
	for _, m := range r.Inputs.Models {
		w.Inputs.ModelInputs = append(w.Inputs.ModelInputs, ModelInput{ModelID: m.ModelID})
	}
	for _, m := range r.Outputs.Models {
		w.Outputs.ModelOutputs = append(w.Outputs.ModelOutputs, ModelOutput{ModelID: m.ModelID, Step: Int(m.Step)})
	}
	return w
}

// Entity returns the logged model as the store's.
func (w *LoggedModel) Entity() *store.LoggedModel {
	i := &w.Info
	return &store.LoggedModel{
		ModelID:          i.ModelID,
		ExperimentID:     i.ExperimentID,
		Name:             i.Name,
		ArtifactLocation: i.ArtifactURI,
		CreationTime:     int64(i.CreationTimestampMS),
		LastUpdatedTime:  int64(i.LastUpdatedTimestampMS),
		Status:           ModelStatus(i.Status),
		ModelType:        i.ModelType,
		SourceRunID:      i.SourceRunID,
		Params:           StoreParams(w.Data.Params),
		Tags:             StoreTags(i.Tags),
		Metrics:          StoreMetrics(w.Data.Metrics),
	}
}

// LoggedModelOf returns a logged model as the wire carries it.
func LoggedModelOf(m *store.LoggedModel) LoggedModel {
	return LoggedModel{
		Info: LoggedModelInfo{
			ModelID:                m.ModelID,
			ExperimentID:           m.ExperimentID,
			Name:                   m.Name,
			CreationTimestampMS:    Int(m.CreationTime),
			LastUpdatedTimestampMS: Int(m.LastUpdatedTime),
			ArtifactURI:            m.ArtifactLocation,
			Status:                 m.Status.String(),
			ModelType:              m.ModelType,
			SourceRunID:            m.SourceRunID,
			Tags:                   TagsOf(m.Tags),
		},
		Data: LoggedModelData{Params: ParamsOf(m.Params), Metrics: MetricsOf(m.Metrics)},
	}
}

// ModelStatus returns the status MLflow names name (LOGGED_MODEL_READY, ...),
// or 0 for a name it does not know.
func ModelStatus(name string) store.ModelStatus {
	for _, s := range []store.ModelStatus{store.ModelPending, store.ModelReady, store.ModelFailed} {
		if s.String() == name {
			return s
		}
	}
	return 0
}

// FileInfoOf returns an artifact listing entry as the wire carries it: name
// is the path the listing shows (relative to the folder listed or to the
// root, as the endpoint says).
func FileInfoOf(name string, f store.FileInfo) FileInfo {
	w := FileInfo{Path: name, IsDir: f.IsDir}
	if !f.IsDir {
		n := Int(f.Size)
		w.FileSize = &n
	}
	return w
}
