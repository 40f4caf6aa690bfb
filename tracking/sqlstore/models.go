package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// CreateLoggedModel creates an MLflow 3 logged model in status PENDING, with
// id m-<32 hex> and artifact location
// <experiment artifact location>/models/<model id>/artifacts.
func (s *Store) CreateLoggedModel(ctx context.Context, req store.CreateLoggedModelRequest) (*store.LoggedModel, error) {
	expID, err := parseExperimentID(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	// MLflow's limits for a run's params and tags hold for a model's.
	for _, p := range req.Params {
		if err := checkValue("model param", p.Key, p.Value, store.MaxParamValueLength); err != nil {
			return nil, err
		}
	}
	for _, t := range req.Tags {
		if err := checkValue("model tag", t.Key, t.Value, store.MaxTagValueLength); err != nil {
			return nil, err
		}
	}
	name := req.Name
	if name == "" {
		name = store.GenerateRunName()
	}
	now := nowMillis()
	m := &store.LoggedModel{
		ModelID:         "m-" + newUUIDHex(),
		ExperimentID:    strconv.FormatInt(expID, 10),
		Name:            name,
		CreationTime:    now,
		LastUpdatedTime: now,
		Status:          store.ModelPending,
		ModelType:       req.ModelType,
		SourceRunID:     req.SourceRunID,
	}
	err = s.write(ctx, func(t tx) error {
		loc, err := experimentLocation(t, expID)
		if err != nil {
			return err
		}
		if req.SourceRunID != "" {
			if _, err := getRunInfo(t, req.SourceRunID); err != nil {
				return err
			}
		}
		m.ArtifactLocation = strings.TrimRight(loc, "/") + "/models/" + m.ModelID + "/artifacts"
		if err := t.exec(`INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			m.ModelID, expID, name, m.ArtifactLocation, now, now, int(store.ModelPending), store.LifecycleActive, nullString(req.ModelType), nullString(req.SourceRunID)); err != nil {
			return err
		}
		for _, p := range req.Params {
			if err := t.exec(`INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)
				ON CONFLICT (model_id, param_key) DO UPDATE SET param_value = excluded.param_value`, m.ModelID, expID, p.Key, p.Value); err != nil {
				return err
			}
		}
		for _, tag := range req.Tags {
			if err := t.exec(`INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)
				ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`, m.ModelID, expID, tag.Key, tag.Value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "create logged model %q in experiment %s", name, req.ExperimentID)
	}
	m.Params = append([]store.Param(nil), req.Params...)
	m.Tags = append([]store.Tag(nil), req.Tags...)
	return m, nil
}

// FinalizeLoggedModel sets a logged model's status (READY or FAILED once its
// files are uploaded) and its last update time.
func (s *Store) FinalizeLoggedModel(ctx context.Context, modelID string, status store.ModelStatus) (*store.LoggedModel, error) {
	if status != store.ModelPending && status != store.ModelReady && status != store.ModelFailed {
		return nil, errorf(store.CodeInvalidParameter, "logged model status %d is not PENDING (1), READY (2) or FAILED (3)", int(status))
	}
	var m *store.LoggedModel
	err := s.write(ctx, func(t tx) error {
		found, err := t.row(`UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ? RETURNING 1`,
			[]any{int(status), nowMillis(), modelID}, func(*lite.Stmt) {})
		if err != nil {
			return err
		}
		if !found {
			return errorf(store.CodeNotFound, "no logged model with id %s", modelID)
		}
		m, err = getLoggedModel(t, modelID)
		return err
	})
	return m, wrap(err, "finalize logged model %s", modelID)
}

// GetLoggedModel returns an active logged model with its params, tags and
// metrics.
func (s *Store) GetLoggedModel(ctx context.Context, modelID string) (*store.LoggedModel, error) {
	var m *store.LoggedModel
	err := s.read(ctx, func(r reader) error {
		var err error
		m, err = getLoggedModel(r.tx, modelID)
		return err
	})
	return m, wrap(err, "get logged model %s", modelID)
}

func getLoggedModel(t tx, modelID string) (*store.LoggedModel, error) {
	var m store.LoggedModel
	var life string
	found, err := t.row(`SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id
		FROM logged_models WHERE model_id = ?`, []any{modelID}, func(row *lite.Stmt) {
		m = store.LoggedModel{
			ModelID:          row.Text(0),
			ExperimentID:     strconv.FormatInt(row.Int64(1), 10),
			Name:             row.Text(2),
			ArtifactLocation: row.Text(3),
			CreationTime:     row.Int64(4),
			LastUpdatedTime:  row.Int64(5),
			Status:           store.ModelStatus(row.Int64(6)),
			ModelType:        row.Text(8),
			SourceRunID:      row.Text(9),
		}
		life = row.Text(7)
	})
	if err != nil {
		return nil, err
	}
	if !found || life == store.LifecycleDeleted {
		return nil, errorf(store.CodeNotFound, "no logged model with id %s", modelID)
	}
	args := []any{modelID}
	if err := t.query(`SELECT param_key, param_value FROM logged_model_params WHERE model_id = ? ORDER BY param_key`, args, func(row *lite.Stmt) error {
		m.Params = append(m.Params, store.Param{Key: row.Text(0), Value: row.Text(1)})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := t.query(`SELECT tag_key, tag_value FROM logged_model_tags WHERE model_id = ? ORDER BY tag_key`, args, func(row *lite.Stmt) error {
		m.Tags = append(m.Tags, store.Tag{Key: row.Text(0), Value: row.Text(1)})
		return nil
	}); err != nil {
		return nil, err
	}
	err = t.query(`SELECT metric_name, metric_value, metric_timestamp_ms, metric_step, dataset_name, dataset_digest
		FROM logged_model_metrics WHERE model_id = ? ORDER BY metric_name, metric_step, metric_timestamp_ms`, args, func(row *lite.Stmt) error {
		m.Metrics = append(m.Metrics, store.Metric{
			ModelID: modelID, Key: row.Text(0), Value: row.Float64(1), Timestamp: row.Int64(2), Step: row.Int64(3),
			DatasetName: row.Text(4), DatasetDigest: row.Text(5),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}
