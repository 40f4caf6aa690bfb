package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/grove-ml/grove/tracking/store"
)

// The JSON shapes of MLflow's REST API, as its server writes them and its
// Python client sends them: int64 fields as numbers, enums by name, empty
// lists left out. Field names follow MLflow's protobuf definitions.

// jint is an int64 on the wire. The server writes numbers, but protobuf's
// JSON mapping allows strings for 64-bit integers, so both are read.
type jint int64

func (n *jint) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("rest: integer field holds %q", s)
		}
		*n = jint(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some encoders write large integers with an exponent.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != math.Trunc(f) {
			return fmt.Errorf("rest: integer field holds %s", b)
		}
		v = int64(f)
	}
	*n = jint(v)
	return nil
}

// jfloat is a double on the wire. JSON has no NaN or infinities; protobuf's
// JSON mapping spells them "NaN", "Infinity" and "-Infinity", which is what
// MLflow's server parses and writes.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN", "nan":
			*f = jfloat(math.NaN())
		case "Infinity", "inf":
			*f = jfloat(math.Inf(1))
		case "-Infinity", "-inf":
			*f = jfloat(math.Inf(-1))
		default:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("rest: number field holds %q", s)
			}
			*f = jfloat(v)
		}
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("rest: number field holds %s", b)
	}
	*f = jfloat(v)
	return nil
}

type wTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type wParam = wTag

type wMetric struct {
	Key           string `json:"key"`
	Value         jfloat `json:"value"`
	Timestamp     jint   `json:"timestamp"`
	Step          jint   `json:"step"`
	ModelID       string `json:"model_id,omitempty"`
	DatasetName   string `json:"dataset_name,omitempty"`
	DatasetDigest string `json:"dataset_digest,omitempty"`
	RunID         string `json:"run_id,omitempty"`
}

// jint needs no marshaller: an int64 already encodes as a JSON number.
var _ json.Marshaler = jfloat(0)

type wExperiment struct {
	ExperimentID     string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location"`
	LifecycleStage   string `json:"lifecycle_stage"`
	LastUpdateTime   jint   `json:"last_update_time"`
	CreationTime     jint   `json:"creation_time"`
	Tags             []wTag `json:"tags"`
}

type wRunInfo struct {
	RunID          string `json:"run_id"`
	RunUUID        string `json:"run_uuid"` // deprecated twin of run_id, read when run_id is missing
	ExperimentID   string `json:"experiment_id"`
	RunName        string `json:"run_name"`
	UserID         string `json:"user_id"`
	Status         string `json:"status"`
	StartTime      jint   `json:"start_time"`
	EndTime        jint   `json:"end_time"`
	ArtifactURI    string `json:"artifact_uri"`
	LifecycleStage string `json:"lifecycle_stage"`
}

type wDataset struct {
	Name       string `json:"name"`
	Digest     string `json:"digest"`
	SourceType string `json:"source_type"`
	Source     string `json:"source"`
	Schema     string `json:"schema,omitempty"`
	Profile    string `json:"profile,omitempty"`
}

type wDatasetInput struct {
	Tags    []wTag   `json:"tags,omitempty"`
	Dataset wDataset `json:"dataset"`
}

type wModelInput struct {
	ModelID string `json:"model_id"`
}

type wModelOutput struct {
	ModelID string `json:"model_id"`
	Step    jint   `json:"step"`
}

type wRun struct {
	Info wRunInfo `json:"info"`
	Data struct {
		Metrics []wMetric `json:"metrics"`
		Params  []wParam  `json:"params"`
		Tags    []wTag    `json:"tags"`
	} `json:"data"`
	Inputs struct {
		DatasetInputs []wDatasetInput `json:"dataset_inputs"`
		ModelInputs   []wModelInput   `json:"model_inputs"`
	} `json:"inputs"`
	Outputs struct {
		ModelOutputs []wModelOutput `json:"model_outputs"`
	} `json:"outputs"`
}

type wLoggedModel struct {
	Info struct {
		ModelID                string `json:"model_id"`
		ExperimentID           string `json:"experiment_id"`
		Name                   string `json:"name"`
		CreationTimestampMS    jint   `json:"creation_timestamp_ms"`
		LastUpdatedTimestampMS jint   `json:"last_updated_timestamp_ms"`
		ArtifactURI            string `json:"artifact_uri"`
		Status                 string `json:"status"`
		ModelType              string `json:"model_type"`
		SourceRunID            string `json:"source_run_id"`
		Tags                   []wTag `json:"tags"`
	} `json:"info"`
	Data struct {
		Params  []wParam  `json:"params"`
		Metrics []wMetric `json:"metrics"`
	} `json:"data"`
}

type wFileInfo struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir"`
	FileSize jint   `json:"file_size"`
}

// wError is MLflow's error body; sqlstate and error_class are ignored.
type wError struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// Conversions between the wire and the store's entities.

func toWireTags(tags []store.Tag) []wTag {
	if len(tags) == 0 {
		return nil
	}
	w := make([]wTag, len(tags))
	for i, t := range tags {
		w[i] = wTag(t)
	}
	return w
}

func toWireParams(params []store.Param) []wParam {
	if len(params) == 0 {
		return nil
	}
	w := make([]wParam, len(params))
	for i, p := range params {
		w[i] = wParam(p)
	}
	return w
}

func toWireMetrics(ms []store.Metric) []wMetric {
	if len(ms) == 0 {
		return nil
	}
	w := make([]wMetric, len(ms))
	for i, m := range ms {
		w[i] = wMetric{
			Key: m.Key, Value: jfloat(m.Value), Timestamp: jint(m.Timestamp), Step: jint(m.Step),
			ModelID: m.ModelID, DatasetName: m.DatasetName, DatasetDigest: m.DatasetDigest,
		}
	}
	return w
}

func fromWireTags(w []wTag) []store.Tag {
	if len(w) == 0 {
		return nil
	}
	tags := make([]store.Tag, len(w))
	for i, t := range w {
		tags[i] = store.Tag(t)
	}
	return tags
}

func fromWireParams(w []wParam) []store.Param {
	if len(w) == 0 {
		return nil
	}
	ps := make([]store.Param, len(w))
	for i, p := range w {
		ps[i] = store.Param(p)
	}
	return ps
}

func fromWireMetrics(w []wMetric) []store.Metric {
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

func (w *wExperiment) entity() *store.Experiment {
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

func (w *wRunInfo) entity() store.RunInfo {
	id := w.RunID
	if id == "" {
		id = w.RunUUID
	}
	return store.RunInfo{
		RunID:          id,
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

func (w *wRun) entity() *store.Run {
	r := &store.Run{
		Info: w.Info.entity(),
		Data: store.RunData{
			Metrics: fromWireMetrics(w.Data.Metrics),
			Params:  fromWireParams(w.Data.Params),
			Tags:    fromWireTags(w.Data.Tags),
		},
	}
	for _, in := range w.Inputs.DatasetInputs {
		r.Inputs.Datasets = append(r.Inputs.Datasets, store.DatasetInput{
			Dataset: store.Dataset(in.Dataset),
			Tags:    fromWireTags(in.Tags),
		})
	}
	for _, m := range w.Inputs.ModelInputs {
		r.Inputs.Models = append(r.Inputs.Models, store.ModelIO{ModelID: m.ModelID})
	}
	for _, m := range w.Outputs.ModelOutputs {
		r.Outputs.Models = append(r.Outputs.Models, store.ModelIO{ModelID: m.ModelID, Step: int64(m.Step)})
	}
	return r
}

func (w *wLoggedModel) entity() *store.LoggedModel {
	i := &w.Info
	return &store.LoggedModel{
		ModelID:          i.ModelID,
		ExperimentID:     i.ExperimentID,
		Name:             i.Name,
		ArtifactLocation: i.ArtifactURI,
		CreationTime:     int64(i.CreationTimestampMS),
		LastUpdatedTime:  int64(i.LastUpdatedTimestampMS),
		Status:           modelStatusFromName(i.Status),
		ModelType:        i.ModelType,
		SourceRunID:      i.SourceRunID,
		Params:           fromWireParams(w.Data.Params),
		Tags:             fromWireTags(i.Tags),
		Metrics:          fromWireMetrics(w.Data.Metrics),
	}
}

func modelStatusFromName(name string) store.ModelStatus {
	for _, s := range []store.ModelStatus{store.ModelPending, store.ModelReady, store.ModelFailed} {
		if s.String() == name {
			return s
		}
	}
	return 0
}
