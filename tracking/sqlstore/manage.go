package sqlstore

import (
	"context"
	"strings"

	"github.com/grove-ml/grove/tracking/search"
	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// The operations of MLflow's tracking server beyond recording runs
// (store.Manager), written as MLflow's SQL store writes them.

var _ store.Manager = (*Store)(nil)

// DeleteRun marks a run deleted and stamps its deleted_time, as MLflow does.
func (s *Store) DeleteRun(ctx context.Context, runID string) error {
	return wrap(s.setRunStage(ctx, runID, store.LifecycleDeleted), "delete run %s", runID)
}

// RestoreRun makes a deleted run active again.
func (s *Store) RestoreRun(ctx context.Context, runID string) error {
	return wrap(s.setRunStage(ctx, runID, store.LifecycleActive), "restore run %s", runID)
}

func (s *Store) setRunStage(ctx context.Context, runID, stage string) error {
	return s.write(ctx, func(t tx) error {
		if _, err := getRunInfo(t, runID); err != nil {
			return err
		}
		var deleted any
		if stage == store.LifecycleDeleted {
			deleted = nowMillis()
		}
		return t.exec(`UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?`, stage, deleted, runID)
	})
}

// DeleteTag removes a tag from an active run.
func (s *Store) DeleteTag(ctx context.Context, runID, key string) error {
	err := s.write(ctx, func(t tx) error {
		if _, err := activeRun(t, runID); err != nil {
			return err
		}
		found, err := t.deleted(`DELETE FROM tags WHERE run_uuid = ? AND "key" = ? RETURNING 1`, runID, key)
		if err == nil && !found {
			err = errorf(store.CodeNotFound, "No tag with name: %s in run with id %s", key, runID)
		}
		return err
	})
	return wrap(err, "delete tag %q of run %s", key, runID)
}

// DeleteExperiment marks an experiment and its runs deleted. The Default
// experiment cannot be deleted.
func (s *Store) DeleteExperiment(ctx context.Context, id string) error {
	n, err := parseExperimentID(id)
	if err != nil {
		return err
	}
	if n == 0 {
		return errorf(store.CodeInvalidParameter, "Cannot delete the default experiment '0'. This is an internally reserved experiment.")
	}
	return wrap(s.setExperimentStage(ctx, n, store.LifecycleDeleted), "delete experiment %s", id)
}

// RestoreExperiment makes a deleted experiment and its runs active again.
func (s *Store) RestoreExperiment(ctx context.Context, id string) error {
	n, err := parseExperimentID(id)
	if err != nil {
		return err
	}
	return wrap(s.setExperimentStage(ctx, n, store.LifecycleActive), "restore experiment %s", id)
}

func (s *Store) setExperimentStage(ctx context.Context, id int64, stage string) error {
	return s.write(ctx, func(t tx) error {
		var life string
		found, err := t.row(`SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?`, []any{id}, func(row *lite.Stmt) {
			life = row.Text(0)
		})
		if err != nil {
			return err
		}
		if !found {
			return errorf(store.CodeNotFound, "No Experiment with id=%d exists", id)
		}
		if stage == store.LifecycleActive && life != store.LifecycleDeleted {
			return errorf(store.CodeInvalidParameter, "Cannot restore an active experiment. Experiment id %d", id)
		}
		if stage == store.LifecycleDeleted && life != store.LifecycleActive {
			return errorf(store.CodeInvalidParameter, "Cannot delete an already deleted experiment. Experiment id %d", id)
		}
		now := nowMillis()
		if err := t.exec(`UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?`, stage, now, id); err != nil {
			return err
		}
		var deleted any
		if stage == store.LifecycleDeleted {
			deleted = now
		}
		return t.exec(`UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?`, stage, deleted, id)
	})
}

// RenameExperiment gives an active experiment a new name no other
// experiment has.
func (s *Store) RenameExperiment(ctx context.Context, id, name string) error {
	n, err := parseExperimentID(id)
	if err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return errorf(store.CodeInvalidParameter, "experiment name must not be empty")
	}
	if c := chars(name); c > maxExperimentNameLength {
		return errorf(store.CodeInvalidParameter, "experiment name is %d characters long, the limit is %d", c, maxExperimentNameLength)
	}
	err = s.write(ctx, func(t tx) error {
		if _, err := experimentLocation(t, n); err != nil {
			return err
		}
		taken, err := t.row(`SELECT 1 FROM experiments WHERE name = ? AND experiment_id != ?`, []any{name, n}, func(*lite.Stmt) {})
		if err != nil {
			return err
		}
		if taken {
			return errorf(store.CodeAlreadyExists, "Experiment(name=%s) already exists.", name)
		}
		return t.exec(`UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?`, name, nowMillis(), n)
	})
	return wrap(err, "rename experiment %s", id)
}

// DeleteExperimentTag removes a tag from an active experiment.
func (s *Store) DeleteExperimentTag(ctx context.Context, id, key string) error {
	n, err := parseExperimentID(id)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(t tx) error {
		if _, err := experimentLocation(t, n); err != nil {
			return err
		}
		found, err := t.deleted(`DELETE FROM experiment_tags WHERE experiment_id = ? AND "key" = ? RETURNING 1`, n, key)
		if err == nil && !found {
			err = errorf(store.CodeNotFound, "No tag with name: %s in experiment with id %s", key, id)
		}
		return err
	})
	return wrap(err, "delete tag %q of experiment %s", key, id)
}

// checkSearchSize applies MLflow's bounds on a search's page size.
func checkSearchSize(n, def int) (int, error) {
	if n == 0 {
		return def, nil
	}
	if n < 0 || n > store.MaxSearchResults {
		return 0, errorf(store.CodeInvalidParameter, "Invalid value %d for parameter 'max_results' supplied. It must be a positive integer at most %d", n, store.MaxSearchResults)
	}
	return n, nil
}

// SearchExperiments lists the experiments that q's view type sees and its
// filter selects, in its order: by default newest creation time first,
// then by id. Filters, orders, page tokens and their errors are MLflow's
// (package tracking/search), answered in SQL.
func (s *Store) SearchExperiments(ctx context.Context, q store.ExperimentQuery) ([]*store.Experiment, string, error) {
	out, next, err := s.searchExperiments(ctx, q)
	if err != nil {
		return nil, "", wrap(err, "search experiments")
	}
	return out, next, nil
}

func (s *Store) searchExperiments(ctx context.Context, q store.ExperimentQuery) ([]*store.Experiment, string, error) {
	size, err := checkSearchSize(q.MaxResults, defaultPageSize)
	if err != nil {
		return nil, "", err
	}
	query, err := search.ParseExperimentQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", err
	}
	offset, err := search.DecodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	var args []any
	for _, st := range []string{store.LifecycleActive, store.LifecycleDeleted} {
		if q.ViewType.Sees(st) {
			args = append(args, st)
		}
	}
	if len(args) == 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "unknown view type %d", int(q.ViewType))
	}
	sql := query.SQLite("e")
	text := `SELECT e.experiment_id FROM experiments AS e WHERE e.lifecycle_stage IN (?` + strings.Repeat(", ?", len(args)-1) + `) AND ` + sql.Where +
		` ORDER BY ` + sql.OrderBy + ` LIMIT ? OFFSET ?`
	args = append(append(append(args, sql.WhereArgs...), sql.OrderArgs...), size+1, offset)
	var out []*store.Experiment
	next := ""
	err = s.read(ctx, func(r reader) error {
		var ids []int64
		err := r.query(text, args, func(row *lite.Stmt) error {
			ids = append(ids, row.Int64(0))
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) > size {
			ids = ids[:size]
			next = search.EncodePageToken(offset + size)
		}
		for _, id := range ids {
			e, err := getExperiment(r.tx, `WHERE experiment_id = ?`, id)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, next, err
}

// SearchLoggedModels lists the active logged models of experiments that
// q's filter keeps, newest first then by id unless q orders them.
func (s *Store) SearchLoggedModels(ctx context.Context, q store.LoggedModelQuery) ([]*store.LoggedModel, string, error) {
	if len(q.ExperimentIDs) == 0 {
		return nil, "", errorf(store.CodeInvalidParameter, "search logged models needs at least one experiment id")
	}
	size, err := checkSearchSize(q.MaxResults, 100)
	if err != nil {
		return nil, "", err
	}
	offset, err := search.DecodePageToken(q.PageToken)
	if err != nil {
		return nil, "", wrap(err, "search logged models")
	}
	args := make([]any, 0, len(q.ExperimentIDs)+3)
	for _, e := range q.ExperimentIDs {
		n, err := parseExperimentID(e)
		if err != nil {
			return nil, "", err
		}
		args = append(args, n)
	}
	if q.Filter != "" || len(q.OrderBy) > 0 {
		return s.filterLoggedModels(ctx, q, args, size, offset)
	}
	args = append(args, store.LifecycleDeleted, size+1, offset)
	var out []*store.LoggedModel
	next := ""
	err = s.read(ctx, func(r reader) error {
		var ids []string
		err := r.query(`SELECT model_id FROM logged_models WHERE experiment_id IN (?`+strings.Repeat(", ?", len(q.ExperimentIDs)-1)+`)
			AND coalesce(lifecycle_stage, 'active') != ? ORDER BY creation_timestamp_ms DESC, model_id ASC LIMIT ? OFFSET ?`, args, func(row *lite.Stmt) error {
			ids = append(ids, row.Text(0))
			return nil
		})
		if err != nil {
			return err
		}
		if len(ids) > size {
			ids = ids[:size]
			next = search.EncodePageToken(offset + size)
		}
		for _, id := range ids {
			m, err := getLoggedModel(r.tx, id)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, "", wrap(err, "search logged models")
	}
	return out, next, nil
}

// filterLoggedModels answers a logged-model search with a filter or an
// order: it reads the active models of the experiments (args holds their
// ids) and keeps, sorts and pages them as search.LoggedModelQuery says, so
// that metrics compare by any recorded value and order by their latest.
func (s *Store) filterLoggedModels(ctx context.Context, q store.LoggedModelQuery, args []any, size, offset int) ([]*store.LoggedModel, string, error) {
	sq, err := search.ParseLoggedModelQuery(q.Filter, q.OrderBy)
	if err != nil {
		return nil, "", wrap(err, "search logged models")
	}
	var all []*store.LoggedModel
	err = s.read(ctx, func(r reader) error {
		var ids []string
		err := r.query(`SELECT model_id FROM logged_models WHERE experiment_id IN (?`+strings.Repeat(", ?", len(args)-1)+`)
			AND coalesce(lifecycle_stage, 'active') != ?`, append(args, store.LifecycleDeleted), func(row *lite.Stmt) error {
			ids = append(ids, row.Text(0))
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			m, err := getLoggedModel(r.tx, id)
			if err != nil {
				return err
			}
			if sq.Match(m) {
				all = append(all, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", wrap(err, "search logged models")
	}
	sq.Sort(all)
	if offset >= len(all) {
		return nil, "", nil
	}
	all = all[offset:]
	next := ""
	if len(all) > size {
		all = all[:size]
		next = search.EncodePageToken(offset + size)
	}
	return all, next, nil
}

// modelExperiment returns the experiment of an active logged model.
func modelExperiment(t tx, modelID string) (int64, error) {
	var exp int64
	var life string
	found, err := t.row(`SELECT experiment_id, lifecycle_stage FROM logged_models WHERE model_id = ?`, []any{modelID}, func(row *lite.Stmt) {
		exp, life = row.Int64(0), row.Text(1)
	})
	if err == nil && (!found || life == store.LifecycleDeleted) {
		err = errorf(store.CodeNotFound, "Logged model with ID '%s' not found.", modelID)
	}
	return exp, err
}

// LogLoggedModelParams adds params to a logged model.
func (s *Store) LogLoggedModelParams(ctx context.Context, modelID string, params []store.Param) error {
	kv := make([][2]string, len(params))
	for i, p := range params {
		kv[i] = [2]string{p.Key, p.Value}
	}
	err := s.setModelRows(ctx, modelID, "model param", "logged_model_params", "param_key", "param_value", store.MaxParamValueLength, kv, false)
	return wrap(err, "log params of logged model %s", modelID)
}

// SetLoggedModelTags sets or replaces tags of a logged model.
func (s *Store) SetLoggedModelTags(ctx context.Context, modelID string, tags []store.Tag) error {
	kv := make([][2]string, len(tags))
	for i, t := range tags {
		kv[i] = [2]string{t.Key, t.Value}
	}
	err := s.setModelRows(ctx, modelID, "model tag", "logged_model_tags", "tag_key", "tag_value", store.MaxTagValueLength, kv, true)
	return wrap(err, "set tags of logged model %s", modelID)
}

// setModelRows inserts or replaces key-value rows of a logged model in
// table (its params or its tags), checked by MLflow's limits for a run's
// params and tags as CreateLoggedModel checks them; touch also stamps the
// model's last update, as setting tags does in MLflow.
func (s *Store) setModelRows(ctx context.Context, modelID, what, table, keyCol, valCol string, limit int, kv [][2]string, touch bool) error {
	for _, e := range kv {
		if err := checkValue(what, e[0], e[1], limit); err != nil {
			return err
		}
	}
	return s.write(ctx, func(t tx) error {
		exp, err := modelExperiment(t, modelID)
		if err != nil {
			return err
		}
		for _, e := range kv {
			if err := t.exec(`INSERT INTO `+table+` (model_id, experiment_id, `+keyCol+`, `+valCol+`) VALUES (?, ?, ?, ?)
				ON CONFLICT (model_id, `+keyCol+`) DO UPDATE SET `+valCol+` = excluded.`+valCol, modelID, exp, e[0], e[1]); err != nil {
				return err
			}
		}
		if !touch {
			return nil
		}
		return t.exec(`UPDATE logged_models SET last_updated_timestamp_ms = ? WHERE model_id = ?`, nowMillis(), modelID)
	})
}

// DeleteLoggedModelTag removes a tag from a logged model.
func (s *Store) DeleteLoggedModelTag(ctx context.Context, modelID, key string) error {
	err := s.write(ctx, func(t tx) error {
		if _, err := modelExperiment(t, modelID); err != nil {
			return err
		}
		found, err := t.deleted(`DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ? RETURNING 1`, modelID, key)
		if err == nil && !found {
			err = errorf(store.CodeNotFound, "No tag with key %q found for model with ID %q.", key, modelID)
		}
		return err
	})
	return wrap(err, "delete tag %q of logged model %s", key, modelID)
}
