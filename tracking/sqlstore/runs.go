package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// runNameTag is the tag MLflow keeps a run's name in, besides runs.name.
const runNameTag = "mlflow.runName"

// newUUIDHex returns a random (version 4) UUID as 32 lowercase hex digits,
// the form MLflow gives run, dataset and input ids.
func newUUIDHex() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// CreateRun starts a run in status RUNNING. Its artifact URI is
// <experiment artifact location>/<run id>/artifacts; its name is the request's,
// else the mlflow.runName tag's, else a generated adjective-noun-number.
func (s *Store) CreateRun(ctx context.Context, req store.CreateRunRequest) (*store.Run, error) {
	expID, err := parseExperimentID(req.ExperimentID)
	if err != nil {
		return nil, err
	}
	tags := append([]store.Tag(nil), req.Tags...)
	tagName := ""
	for _, t := range tags {
		if err := checkTag(t); err != nil {
			return nil, err
		}
		if t.Key == runNameTag {
			tagName = t.Value
		}
	}
	name := req.RunName
	if name != "" && tagName != "" && name != tagName {
		return nil, store.Errorf(store.CodeInvalidParameter, "run name %q and tag %s=%q differ", name, runNameTag, tagName)
	}
	if name == "" {
		name = tagName
	}
	if name == "" {
		name = GenerateName()
	}
	if tagName == "" {
		tags = append(tags, store.Tag{Key: runNameTag, Value: name})
	}
	start := req.StartTime
	if start == 0 {
		start = nowMillis()
	}
	runID := newUUIDHex()
	var info store.RunInfo
	err = s.write(ctx, func(tx *txn) error {
		loc, err := experimentLocation(ctx, tx, expID)
		if err != nil {
			return err
		}
		info = store.RunInfo{
			RunID:          runID,
			RunName:        name,
			ExperimentID:   req.ExperimentID,
			UserID:         req.UserID,
			Status:         store.StatusRunning,
			StartTime:      start,
			ArtifactURI:    strings.TrimRight(loc, "/") + "/" + runID + "/artifacts",
			LifecycleStage: store.LifecycleActive,
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', ?, ?, ?, NULL, '', ?, ?, ?)`,
			runID, name, req.UserID, string(store.StatusRunning), start, store.LifecycleActive, info.ArtifactURI, expID); err != nil {
			return err
		}
		return setTags(ctx, tx, runID, tags)
	})
	if err != nil {
		return nil, wrap(err, "create run in experiment %s", req.ExperimentID)
	}
	run := &store.Run{Info: info}
	run.Data.Tags = dedupTags(tags)
	return run, nil
}

// dedupTags keeps the last value of each key, as the store does.
func dedupTags(tags []store.Tag) []store.Tag {
	idx := map[string]int{}
	var out []store.Tag
	for _, t := range tags {
		if i, ok := idx[t.Key]; ok {
			out[i].Value = t.Value
			continue
		}
		idx[t.Key] = len(out)
		out = append(out, t)
	}
	return out
}

// UpdateRun sets a run's status, its end time when endTime is not 0, and its
// name (runs.name and the mlflow.runName tag) when runName is not empty.
func (s *Store) UpdateRun(ctx context.Context, runID string, status store.RunStatus, endTime int64, runName string) (*store.RunInfo, error) {
	if !status.Valid() {
		return nil, store.Errorf(store.CodeInvalidParameter, "run status %q is not one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED", status)
	}
	var info *store.RunInfo
	err := s.write(ctx, func(tx *txn) error {
		if _, err := activeRun(ctx, tx, runID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ? WHERE run_uuid = ?`, string(status), runID); err != nil {
			return err
		}
		if endTime != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET end_time = ? WHERE run_uuid = ?`, endTime, runID); err != nil {
				return err
			}
		}
		if runName != "" {
			if err := setRunName(ctx, tx, runID, runName); err != nil {
				return err
			}
		}
		var err error
		info, err = getRunInfo(ctx, tx, runID)
		return err
	})
	return info, wrap(err, "update run %s", runID)
}

func setRunName(ctx context.Context, tx *txn, runID, name string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET name = ? WHERE run_uuid = ?`, name, runID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value`,
		runNameTag, name, runID)
	return err
}

// activeRun checks that the run exists and is active, and returns its
// experiment id.
func activeRun(ctx context.Context, tx *txn, runID string) (int64, error) {
	var life sql.NullString
	var exp sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = ?`, runID).Scan(&life, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.Errorf(store.CodeNotFound, "no run with id %s", runID)
	}
	if err != nil {
		return 0, err
	}
	if life.String != store.LifecycleActive {
		return 0, store.Errorf(store.CodeInvalidParameter, "run %s must be active, it is %s", runID, life.String)
	}
	return exp.Int64, nil
}

const runColumns = `run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage`

type scanner interface{ Scan(dest ...any) error }

func scanRunInfo(sc scanner) (store.RunInfo, error) {
	var (
		ri                      store.RunInfo
		name, user, status, uri sql.NullString
		life                    sql.NullString
		exp, start, end         sql.NullInt64
	)
	if err := sc.Scan(&ri.RunID, &name, &exp, &user, &status, &start, &end, &uri, &life); err != nil {
		return ri, err
	}
	ri.RunName, ri.UserID, ri.ArtifactURI, ri.LifecycleStage = name.String, user.String, uri.String, life.String
	ri.Status = store.RunStatus(status.String)
	ri.ExperimentID = strconv.FormatInt(exp.Int64, 10)
	ri.StartTime, ri.EndTime = start.Int64, end.Int64
	return ri, nil
}

func getRunInfo(ctx context.Context, tx *txn, runID string) (*store.RunInfo, error) {
	ri, err := scanRunInfo(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE run_uuid = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.CodeNotFound, "no run with id %s", runID)
	}
	if err != nil {
		return nil, err
	}
	return &ri, nil
}

// GetRun returns a run with its latest metrics, params, tags, inputs and
// outputs.
func (s *Store) GetRun(ctx context.Context, runID string) (*store.Run, error) {
	var run *store.Run
	err := s.read(ctx, func(tx *txn) error {
		ri, err := getRunInfo(ctx, tx, runID)
		if err != nil {
			return err
		}
		run = &store.Run{Info: *ri}
		runs := map[string]*store.Run{runID: run}
		return fillRuns(ctx, tx, runs, `= ?`, runID)
	})
	return run, wrap(err, "get run %s", runID)
}

// fillRuns loads the data, inputs and outputs of runs, whose ids are given by
// the SQL condition cond on a run id column (such as "= ?" or "IN (?, ?)").
// One query per table keeps a page of a thousand runs to a handful of
// statements.
func fillRuns(ctx context.Context, tx *txn, runs map[string]*store.Run, cond string, args ...any) error {
	// Latest metrics.
	if err := query(ctx, tx, `SELECT run_uuid, "key", value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid `+cond+` ORDER BY "key"`, args, func(rows *sql.Rows) error {
		var (
			id  string
			m   store.Metric
			ts  sql.NullInt64
			nan bool
		)
		if err := rows.Scan(&id, &m.Key, &m.Value, &ts, &m.Step, &nan); err != nil {
			return err
		}
		m.Timestamp = ts.Int64
		if nan {
			m.Value = nan64
		}
		if r := runs[id]; r != nil {
			r.Data.Metrics = append(r.Data.Metrics, m)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := query(ctx, tx, `SELECT run_uuid, "key", value FROM params WHERE run_uuid `+cond+` ORDER BY "key"`, args, func(rows *sql.Rows) error {
		var id string
		var p store.Param
		if err := rows.Scan(&id, &p.Key, &p.Value); err != nil {
			return err
		}
		if r := runs[id]; r != nil {
			r.Data.Params = append(r.Data.Params, p)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := query(ctx, tx, `SELECT run_uuid, "key", value FROM tags WHERE run_uuid `+cond+` ORDER BY "key"`, args, func(rows *sql.Rows) error {
		var id string
		var t store.Tag
		var v sql.NullString
		if err := rows.Scan(&id, &t.Key, &v); err != nil {
			return err
		}
		t.Value = v.String
		if r := runs[id]; r != nil {
			r.Data.Tags = append(r.Data.Tags, t)
		}
		return nil
	}); err != nil {
		return err
	}
	// Dataset inputs with their tags, in the order they were linked.
	type key struct{ run, input string }
	seen := map[key]int{}
	if err := query(ctx, tx, `SELECT i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile, t.name, t.value
		FROM inputs AS i JOIN datasets AS d ON d.dataset_uuid = i.source_id
		LEFT JOIN input_tags AS t ON t.input_uuid = i.input_uuid
		WHERE i.destination_type = 'RUN' AND i.source_type = 'DATASET' AND i.destination_id `+cond+`
		ORDER BY i.rowid, t.name`, args, func(rows *sql.Rows) error {
		var (
			id, input         string
			d                 store.Dataset
			schema, profile   sql.NullString
			tagName, tagValue sql.NullString
		)
		if err := rows.Scan(&id, &input, &d.Name, &d.Digest, &d.SourceType, &d.Source, &schema, &profile, &tagName, &tagValue); err != nil {
			return err
		}
		d.Schema, d.Profile = schema.String, profile.String
		r := runs[id]
		if r == nil {
			return nil
		}
		k := key{id, input}
		i, ok := seen[k]
		if !ok {
			i = len(r.Inputs.Datasets)
			seen[k] = i
			r.Inputs.Datasets = append(r.Inputs.Datasets, store.DatasetInput{Dataset: d})
		}
		if tagName.Valid {
			r.Inputs.Datasets[i].Tags = append(r.Inputs.Datasets[i].Tags, store.Tag{Key: tagName.String, Value: tagValue.String})
		}
		return nil
	}); err != nil {
		return err
	}
	// Model inputs and outputs: links from the run (source) to a model.
	return query(ctx, tx, `SELECT source_id, source_type, destination_id, step FROM inputs
		WHERE ((source_type = 'RUN_INPUT' AND destination_type = 'MODEL_INPUT') OR (source_type = 'RUN_OUTPUT' AND destination_type = 'MODEL_OUTPUT'))
		AND source_id `+cond+` ORDER BY rowid`, args, func(rows *sql.Rows) error {
		var id, typ string
		var m store.ModelIO
		var step sql.NullInt64
		if err := rows.Scan(&id, &typ, &m.ModelID, &step); err != nil {
			return err
		}
		r := runs[id]
		if r == nil {
			return nil
		}
		if typ == "RUN_INPUT" {
			r.Inputs.Models = append(r.Inputs.Models, store.ModelIO{ModelID: m.ModelID})
		} else {
			m.Step = step.Int64
			r.Outputs.Models = append(r.Outputs.Models, m)
		}
		return nil
	})
}

// query runs q and calls fn for each row.
func query(ctx context.Context, tx *txn, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// defaultPageSize is MLflow's default and largest page of SearchRuns.
const (
	defaultPageSize = 1000
	maxPageSize     = 50000
)

// pageToken is MLflow's page token for offset paging: base64 of
// {"offset": n}.
type pageToken struct {
	Offset int `json:"offset"`
}

func decodePageToken(tok string) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	var pt pageToken
	if err == nil {
		err = json.Unmarshal(b, &pt)
	}
	if err != nil || pt.Offset < 0 {
		return 0, store.Errorf(store.CodeInvalidParameter, "invalid page token %q", tok)
	}
	return pt.Offset, nil
}

func encodePageToken(offset int) string {
	b, _ := json.Marshal(pageToken{Offset: offset})
	return base64.StdEncoding.EncodeToString(b)
}

// SearchRuns lists the active runs of the given experiments, newest start
// time first (then by run id, so pages never overlap), with their latest
// metrics, params, tags, inputs and outputs.
func (s *Store) SearchRuns(ctx context.Context, q store.RunQuery) ([]*store.Run, string, error) {
	if len(q.ExperimentIDs) == 0 {
		return nil, "", store.Errorf(store.CodeInvalidParameter, "search runs needs at least one experiment id")
	}
	size := q.MaxResults
	if size == 0 {
		size = defaultPageSize
	}
	if size < 0 || size > maxPageSize {
		return nil, "", store.Errorf(store.CodeInvalidParameter, "max results %d must be in [1, %d]", size, maxPageSize)
	}
	offset, err := decodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(q.ExperimentIDs))
	args := make([]any, 0, len(ids)+3)
	for i, e := range q.ExperimentIDs {
		n, err := parseExperimentID(e)
		if err != nil {
			return nil, "", err
		}
		ids[i] = "?"
		args = append(args, n)
	}
	// One more than a page tells whether another page follows.
	args = append(args, store.LifecycleActive, size+1, offset)
	page := `SELECT run_uuid FROM runs WHERE experiment_id IN (` + strings.Join(ids, ", ") + `) AND lifecycle_stage = ?
		ORDER BY start_time DESC, run_uuid LIMIT ? OFFSET ?`
	var out []*store.Run
	next := ""
	err = s.read(ctx, func(tx *txn) error {
		runs := map[string]*store.Run{}
		err := query(ctx, tx, `SELECT `+runColumns+` FROM runs WHERE run_uuid IN (`+page+`) ORDER BY start_time DESC, run_uuid`, args, func(rows *sql.Rows) error {
			ri, err := scanRunInfo(rows)
			if err != nil {
				return err
			}
			r := &store.Run{Info: ri}
			out = append(out, r)
			runs[ri.RunID] = r
			return nil
		})
		if err != nil {
			return err
		}
		if len(out) > size {
			delete(runs, out[size].Info.RunID)
			out = out[:size]
			next = encodePageToken(offset + size)
		}
		if len(out) == 0 {
			return nil
		}
		// The page's ids as parameters: cheaper than sorting the
		// experiment's runs again for every table.
		marks := make([]string, len(out))
		idArgs := make([]any, len(out))
		for i, r := range out {
			marks[i], idArgs[i] = "?", r.Info.RunID
		}
		return fillRuns(ctx, tx, runs, `IN (`+strings.Join(marks, ", ")+`)`, idArgs...)
	})
	if err != nil {
		return nil, "", wrap(err, "search runs of experiments %s", strings.Join(q.ExperimentIDs, ", "))
	}
	return out, next, nil
}

// Artifacts returns the local repository behind a run's artifact URI or a
// logged model's artifact location. Only local paths and file:// URIs are
// supported: those are what this store hands out.
func (s *Store) Artifacts(ctx context.Context, artifactURI string) (store.ArtifactRepo, error) {
	if artifactURI == "" {
		return nil, store.Errorf(store.CodeInvalidParameter, "empty artifact URI")
	}
	if i := strings.Index(artifactURI, ":"); i > 1 && !strings.HasPrefix(artifactURI, "file:") {
		return nil, store.Errorf(store.CodeInvalidParameter, "artifact URI %s: only local paths and file:// URIs are supported by the SQLite store", artifactURI)
	}
	return artifact.NewLocal(artifactURI), nil
}
