package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

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
	for _, p := range req.Params {
		if err := checkKey("model param", p.Key); err != nil {
			return nil, err
		}
	}
	for _, t := range req.Tags {
		if err := checkKey("model tag", t.Key); err != nil {
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
	err = s.write(ctx, func(tx *txn) error {
		loc, err := experimentLocation(ctx, tx, expID)
		if err != nil {
			return err
		}
		if req.SourceRunID != "" {
			if _, err := getRunInfo(ctx, tx, req.SourceRunID); err != nil {
				return err
			}
		}
		m.ArtifactLocation = strings.TrimRight(loc, "/") + "/models/" + m.ModelID + "/artifacts"
		if _, err := tx.ExecContext(ctx, `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			m.ModelID, expID, name, m.ArtifactLocation, now, now, int(store.ModelPending), store.LifecycleActive, nullString(req.ModelType), nullString(req.SourceRunID)); err != nil {
			return err
		}
		for _, p := range req.Params {
			if _, err := tx.ExecContext(ctx, `INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)
				ON CONFLICT (model_id, param_key) DO UPDATE SET param_value = excluded.param_value`, m.ModelID, expID, p.Key, p.Value); err != nil {
				return err
			}
		}
		for _, t := range req.Tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)
				ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`, m.ModelID, expID, t.Key, t.Value); err != nil {
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
		return nil, store.Errorf(store.CodeInvalidParameter, "logged model status %d is not PENDING (1), READY (2) or FAILED (3)", int(status))
	}
	var m *store.LoggedModel
	err := s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?`, int(status), nowMillis(), modelID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.Errorf(store.CodeNotFound, "no logged model with id %s", modelID)
		}
		m, err = getLoggedModel(ctx, tx, modelID)
		return err
	})
	return m, wrap(err, "finalize logged model %s", modelID)
}

// GetLoggedModel returns an active logged model with its params, tags and
// metrics.
func (s *Store) GetLoggedModel(ctx context.Context, modelID string) (*store.LoggedModel, error) {
	var m *store.LoggedModel
	err := s.read(ctx, func(tx *txn) error {
		var err error
		m, err = getLoggedModel(ctx, tx, modelID)
		return err
	})
	return m, wrap(err, "get logged model %s", modelID)
}

func getLoggedModel(ctx context.Context, tx *txn, modelID string) (*store.LoggedModel, error) {
	var (
		m                store.LoggedModel
		exp              int64
		status           int
		life, mtype, run sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id
		FROM logged_models WHERE model_id = ?`, modelID).
		Scan(&m.ModelID, &exp, &m.Name, &m.ArtifactLocation, &m.CreationTime, &m.LastUpdatedTime, &status, &life, &mtype, &run)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && life.String == store.LifecycleDeleted) {
		return nil, store.Errorf(store.CodeNotFound, "no logged model with id %s", modelID)
	}
	if err != nil {
		return nil, err
	}
	m.ExperimentID = strconv.FormatInt(exp, 10)
	m.Status = store.ModelStatus(status)
	m.ModelType, m.SourceRunID = mtype.String, run.String
	args := []any{modelID}
	if err := query(ctx, tx, `SELECT param_key, param_value FROM logged_model_params WHERE model_id = ? ORDER BY param_key`, args, func(rows *sql.Rows) error {
		var p store.Param
		if err := rows.Scan(&p.Key, &p.Value); err != nil {
			return err
		}
		m.Params = append(m.Params, p)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := query(ctx, tx, `SELECT tag_key, tag_value FROM logged_model_tags WHERE model_id = ? ORDER BY tag_key`, args, func(rows *sql.Rows) error {
		var t store.Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return err
		}
		m.Tags = append(m.Tags, t)
		return nil
	}); err != nil {
		return nil, err
	}
	err = query(ctx, tx, `SELECT metric_name, metric_value, metric_timestamp_ms, metric_step, dataset_name, dataset_digest
		FROM logged_model_metrics WHERE model_id = ? ORDER BY metric_name, metric_step, metric_timestamp_ms`, args, func(rows *sql.Rows) error {
		mt := store.Metric{ModelID: modelID}
		var v sql.NullFloat64
		var dn, dd sql.NullString
		if err := rows.Scan(&mt.Key, &v, &mt.Timestamp, &mt.Step, &dn, &dd); err != nil {
			return err
		}
		mt.Value, mt.DatasetName, mt.DatasetDigest = v.Float64, dn.String, dd.String
		m.Metrics = append(m.Metrics, mt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}
