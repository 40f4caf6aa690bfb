package sqlstore

import (
	"context"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// LogInputs links datasets and logged models to an active run. A dataset is
// stored once per experiment (by name and digest) and linked to the run once,
// with the input's tags (mlflow.data.context=train, ...) on the link; linking
// it again changes nothing. Models become RUN_INPUT -> MODEL_INPUT links.
func (s *Store) LogInputs(ctx context.Context, runID string, datasets []store.DatasetInput, models []store.ModelIO) error {
	for _, d := range datasets {
		if err := checkDatasetInput(d); err != nil {
			return err
		}
	}
	for _, m := range models {
		if m.ModelID == "" {
			return errorf(store.CodeInvalidParameter, "model input needs a model id")
		}
	}
	err := s.write(ctx, func(t tx) error {
		expID, err := activeRun(t, runID)
		if err != nil {
			return err
		}
		type nd struct{ name, digest string }
		done := map[nd]bool{}
		for _, in := range datasets {
			d := in.Dataset
			if done[nd{d.Name, d.Digest}] {
				continue // the first of two equal datasets wins, as in MLflow
			}
			done[nd{d.Name, d.Digest}] = true
			var dsID string
			found, err := t.row(`SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?`, []any{expID, d.Name, d.Digest}, func(row *lite.Stmt) {
				dsID = row.Text(0)
			})
			if err == nil && !found {
				dsID = newUUIDHex()
				err = t.exec(`INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					dsID, expID, d.Name, d.Digest, d.SourceType, d.Source, nullString(d.Schema), nullString(d.Profile))
			}
			if err != nil {
				return err
			}
			linked, err := t.row(`SELECT 1 FROM inputs WHERE source_type = 'DATASET' AND source_id = ? AND destination_type = 'RUN' AND destination_id = ?`, []any{dsID, runID}, func(*lite.Stmt) {})
			if err != nil {
				return err
			}
			if linked {
				continue
			}
			inputID := newUUIDHex()
			if err := t.exec(`INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'DATASET', ?, 'RUN', ?, 0)`,
				inputID, dsID, runID); err != nil {
				return err
			}
			for _, tag := range in.Tags {
				if err := t.exec(`INSERT INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?) ON CONFLICT (input_uuid, name) DO UPDATE SET value = excluded.value`,
					inputID, tag.Key, tag.Value); err != nil {
					return err
				}
			}
		}
		for _, m := range models {
			if err := t.exec(`INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_INPUT', ?, 'MODEL_INPUT', ?, ?)
				ON CONFLICT (source_type, source_id, destination_type, destination_id) DO NOTHING`,
				newUUIDHex(), runID, m.ModelID, m.Step); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "log inputs of run %s", runID)
}

// LogOutputs links logged models an active run produced, as
// RUN_OUTPUT -> MODEL_OUTPUT rows of the inputs table (MLflow's own layout).
// Linking a model again updates its step.
func (s *Store) LogOutputs(ctx context.Context, runID string, models []store.ModelIO) error {
	for _, m := range models {
		if m.ModelID == "" {
			return errorf(store.CodeInvalidParameter, "model output needs a model id")
		}
	}
	err := s.write(ctx, func(t tx) error {
		if _, err := activeRun(t, runID); err != nil {
			return err
		}
		for _, m := range models {
			if err := t.exec(`INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_OUTPUT', ?, 'MODEL_OUTPUT', ?, ?)
				ON CONFLICT (source_type, source_id, destination_type, destination_id) DO UPDATE SET step = excluded.step`,
				newUUIDHex(), runID, m.ModelID, m.Step); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "log outputs of run %s", runID)
}

// checkDatasetInput applies MLflow's rules for a dataset input.
func checkDatasetInput(in store.DatasetInput) error {
	d := in.Dataset
	if d.Name == "" || d.Digest == "" || d.SourceType == "" || d.Source == "" {
		return errorf(store.CodeInvalidParameter, "dataset input %q needs a name, digest, source type and source", d.Name)
	}
	for _, f := range []struct {
		what  string
		n     int
		limit int
	}{
		{"name", chars(d.Name), maxDatasetNameLength},
		{"digest", chars(d.Digest), maxDatasetDigestLength},
		{"source type", chars(d.SourceType), maxDatasetDigestLength},
		{"source", chars(d.Source), maxDatasetSourceLength},
		{"schema", chars(d.Schema), maxDatasetSchemaLength},
		{"profile", chars(d.Profile), maxDatasetProfileLength},
	} {
		if f.n > f.limit {
			return errorf(store.CodeInvalidParameter, "dataset %q %s is %d characters long, the limit is %d", d.Name, f.what, f.n, f.limit)
		}
	}
	for _, t := range in.Tags {
		if t.Key == "" || chars(t.Key) > maxInputTagKeyLength || chars(t.Value) > maxInputTagValueLength {
			return errorf(store.CodeInvalidParameter, "dataset %q input tag %.40q: keys need 1 to %d characters, values at most %d", d.Name, t.Key, maxInputTagKeyLength, maxInputTagValueLength)
		}
	}
	return nil
}
