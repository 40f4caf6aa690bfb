package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Int is an int64 on the wire. MLflow's server writes numbers, but
// protobuf's JSON mapping allows strings for 64-bit integers, so both are
// read.
type Int int64

// UnmarshalJSON reads a number, a numeric string or null (left unchanged).
func (n *Int) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("api: integer field holds %q", s)
		}
		*n = Int(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some encoders write large integers with an exponent.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
			return fmt.Errorf("api: integer field holds %s", b)
		}
		v = int64(f)
	}
	*n = Int(v)
	return nil
}

// Float is a double on the wire. JSON has no NaN or infinities; protobuf's
// JSON mapping spells them "NaN", "Infinity" and "-Infinity", which is what
// MLflow's server parses and writes.
type Float float64

// MarshalJSON writes NaN and infinities as protobuf's JSON mapping names them.
func (f Float) MarshalJSON() ([]byte, error) {
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

// UnmarshalJSON reads a number, "NaN", "Infinity", "-Infinity", a numeric
// string or null (left unchanged).
func (f *Float) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN", "nan":
			*f = Float(math.NaN())
		case "Infinity", "inf":
			*f = Float(math.Inf(1))
		case "-Infinity", "-inf":
			*f = Float(math.Inf(-1))
		default:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("api: number field holds %q", s)
			}
			*f = Float(v)
		}
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("api: number field holds %s", b)
	}
	*f = Float(v)
	return nil
}

// Int needs no marshaller: an int64 already encodes as a JSON number.
var _ json.Marshaler = Float(0)

// Tag is a key-value pair: a tag of a run, experiment or logged model.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Param is a run's or logged model's parameter.
type Param = Tag

// Metric is one metric point; RunID is set by get-history-bulk-interval.
type Metric struct {
	Key           string `json:"key"`
	Value         Float  `json:"value"`
	Timestamp     Int    `json:"timestamp"`
	Step          Int    `json:"step"`
	ModelID       string `json:"model_id,omitempty"`
	DatasetName   string `json:"dataset_name,omitempty"`
	DatasetDigest string `json:"dataset_digest,omitempty"`
	RunID         string `json:"run_id,omitempty"`
}

// Experiment is MLflow's experiment message.
type Experiment struct {
	ExperimentID     string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location"`
	LifecycleStage   string `json:"lifecycle_stage"`
	LastUpdateTime   Int    `json:"last_update_time"`
	CreationTime     Int    `json:"creation_time"`
	Tags             []Tag  `json:"tags,omitempty"`
}

// RunInfo is MLflow's run info message. RunUUID is the deprecated twin of
// RunID that servers still write and old clients still read.
type RunInfo struct {
	RunUUID        string `json:"run_uuid"`
	ExperimentID   string `json:"experiment_id"`
	RunName        string `json:"run_name"`
	UserID         string `json:"user_id"`
	Status         string `json:"status"`
	StartTime      Int    `json:"start_time"`
	EndTime        Int    `json:"end_time,omitempty"`
	ArtifactURI    string `json:"artifact_uri"`
	LifecycleStage string `json:"lifecycle_stage"`
	RunID          string `json:"run_id"`
}

// Dataset is MLflow's dataset message.
type Dataset struct {
	Name       string `json:"name"`
	Digest     string `json:"digest"`
	SourceType string `json:"source_type"`
	Source     string `json:"source"`
	Schema     string `json:"schema,omitempty"`
	Profile    string `json:"profile,omitempty"`
}

// DatasetInput links a dataset to a run.
type DatasetInput struct {
	Tags    []Tag   `json:"tags,omitempty"`
	Dataset Dataset `json:"dataset"`
}

// ModelInput names a logged model a run read.
type ModelInput struct {
	ModelID string `json:"model_id"`
}

// ModelOutput names a logged model a run produced, at a step.
type ModelOutput struct {
	ModelID string `json:"model_id"`
	Step    Int    `json:"step"`
}

// RunData is what a run recorded: the latest point of each metric, params
// and tags.
type RunData struct {
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

// RunInputs are the datasets and models a run read.
type RunInputs struct {
	DatasetInputs []DatasetInput `json:"dataset_inputs,omitempty"`
	ModelInputs   []ModelInput   `json:"model_inputs,omitempty"`
}

// RunOutputs are the models a run produced.
type RunOutputs struct {
	ModelOutputs []ModelOutput `json:"model_outputs,omitempty"`
}

// Run is MLflow's run message. Outputs is left out by runs/create and
// present, maybe empty, in runs/get and runs/search, as MLflow answers.
type Run struct {
	Info    RunInfo     `json:"info"`
	Data    RunData     `json:"data"`
	Inputs  RunInputs   `json:"inputs"`
	Outputs *RunOutputs `json:"outputs,omitempty"`
}

// LoggedModelInfo is the identity and state of an MLflow 3 logged model.
type LoggedModelInfo struct {
	ModelID                string `json:"model_id"`
	ExperimentID           string `json:"experiment_id"`
	Name                   string `json:"name"`
	CreationTimestampMS    Int    `json:"creation_timestamp_ms"`
	LastUpdatedTimestampMS Int    `json:"last_updated_timestamp_ms"`
	ArtifactURI            string `json:"artifact_uri"`
	Status                 string `json:"status"`
	ModelType              string `json:"model_type"`
	SourceRunID            string `json:"source_run_id,omitempty"`
	Tags                   []Tag  `json:"tags,omitempty"`
}

// LoggedModelData is what a logged model recorded.
type LoggedModelData struct {
	Params  []Param  `json:"params,omitempty"`
	Metrics []Metric `json:"metrics,omitempty"`
}

// LoggedModel is MLflow's logged model message.
type LoggedModel struct {
	Info LoggedModelInfo `json:"info"`
	Data LoggedModelData `json:"data"`
}

// FileInfo is one entry of an artifact listing; folders carry no size.
type FileInfo struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir"`
	FileSize *Int   `json:"file_size,omitempty"`
}
