package autolog

// The train and test sets as the dataset inputs MLflow's autolog records.

import (
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"github.com/grove-ml/grove/datasets"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/internal/pyjson"
	"github.com/grove-ml/grove/tracking/mlmodel"
	"github.com/grove-ml/grove/tracking/store"
)

func (a *autolog) datasetName() string {
	if a.opts.DatasetName != "" {
		return a.opts.DatasetName
	}
	return DefaultDatasetName
}

// datasetInput describes d as MLflow's autolog describes a pandas frame:
// a column schema, a row/element count profile, and where it came from.
func (a *autolog) datasetInput(d *datasets.Dataset, context string) store.DatasetInput {
	ds := store.Dataset{
		Name:    a.datasetName(),
		Digest:  a.digest(d),
		Schema:  `{"mlflow_colspec": ` + mlmodel.ColSpec(d.FeatureNames, "double") + `}`,
		Profile: fmt.Sprintf(`{"num_rows": %d, "num_elements": %d}`, d.Rows(), d.Rows()*d.Features()),
	}
	if a.opts.DatasetSource != "" {
		uri := a.opts.DatasetSource
		if abs, err := filepath.Abs(uri); err == nil && !hasScheme(uri) {
			uri = abs
		}
		ds.SourceType = "local"
		ds.Source = `{"uri": ` + pyjson.String(uri) + `}`
	} else {
		ds.SourceType = "code"
		ds.Source = `{"tags": ` + pyjson.Object(a.sourceTags) + `}`
	}
	return store.DatasetInput{Dataset: ds, Tags: []store.Tag{{Key: tracking.TagDataContext, Value: context}}}
}

// maxDatasetSchema is MLflow's limit on a dataset's schema, in characters
// (MAX_DATASET_SCHEMA_SIZE), which MLflow's server and grove's sqlstore both
// enforce; a column schema reaches it at about 19,000 features.
const maxDatasetSchema = 1048575

// dropLongSchemas takes the schema off the inputs whose schema MLflow would
// refuse, with one warning. MLflow's autolog warns and trains on when it
// cannot log a dataset; grove still records the input, without its column
// list, so the run says which data it saw (digest, source and counts).
func (a *autolog) dropLongSchemas(inputs []store.DatasetInput) {
	long := 0
	for i := range inputs {
		if n := utf8.RuneCountInString(inputs[i].Dataset.Schema); n > maxDatasetSchema {
			long = n
			inputs[i].Dataset.Schema = ""
		}
	}
	if long > 0 {
		a.res.Warnings = append(a.res.Warnings, fmt.Sprintf("dataset schema not logged: %d characters for %d columns, over MLflow's limit of %d; the inputs are recorded without it",
			long, a.train.Features(), maxDatasetSchema))
	}
}
