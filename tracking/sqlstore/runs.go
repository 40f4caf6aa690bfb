package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// runNameTag is the tag MLflow keeps a run's name in, besides runs.name.
const runNameTag = store.TagRunName

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
	for _, t := range req.Tags {
		if err := checkTag(t); err != nil {
			return nil, err
		}
	}
	name, tags, err := req.NameAndTags()
	if err != nil {
		return nil, err
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
			ExperimentID:   strconv.FormatInt(expID, 10),
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
	slices.SortFunc(run.Data.Tags, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
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
	return exp.Int64, checkActive(runID, life.String)
}

// checkActive refuses to log to a run that is not active.
func checkActive(runID, lifecycle string) error {
	if lifecycle != store.LifecycleActive {
		return store.Errorf(store.CodeInvalidParameter, "run %s must be active, it is %s", runID, lifecycle)
	}
	return nil
}

const runColumns = `run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage`

type scanner interface{ Scan(dest ...any) error }

// scanRunInfo scans the runColumns of a row.
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
	err := s.readLong(ctx, func(rq reader) error {
		err := rq.query(`SELECT `+runColumns+` FROM runs WHERE run_uuid = ?`, []any{runID}, func(row *lite.Stmt) error {
			run = &store.Run{Info: runInfoFromRow(row, 0)}
			return nil
		})
		if err != nil {
			return err
		}
		if run == nil {
			return store.Errorf(store.CodeNotFound, "no run with id %s", runID)
		}
		return fillRuns(rq, []*store.Run{run})
	})
	return run, wrap(err, "get run %s", runID)
}

// runInfoFromRow decodes the runColumns of a row, starting at column col.
func runInfoFromRow(row *lite.Stmt, col int) store.RunInfo {
	return store.RunInfo{
		RunID:          row.Text(col),
		RunName:        row.Text(col + 1),
		ExperimentID:   strconv.FormatInt(row.Int64(col+2), 10),
		UserID:         row.Text(col + 3),
		Status:         store.RunStatus(row.Text(col + 4)),
		StartTime:      row.Int64(col + 5),
		EndTime:        row.Int64(col + 6),
		ArtifactURI:    row.Text(col + 7),
		LifecycleStage: row.Text(col + 8),
	}
}

// fillRuns loads the data, inputs and outputs of runs. One query per table
// keeps a page of a thousand runs to a handful of statements. The ids travel
// as one JSON array that json_each walks as the outer loop of each join
// (CROSS JOIN fixes the order), and rows name their run by its index in that
// array: an IN list of a thousand parameters would make SQLite build a
// temporary index per query, and run ids read back as strings cost an
// allocation each. A page holding most of a table's rows reads that table
// whole instead (see page.rows).
func fillRuns(rq reader, runs []*store.Run) error {
	p, err := newPage(rq, runs)
	if err != nil {
		return err
	}
	keys := interner{}
	var ms grouped[store.Metric]
	err = p.rows(rq, "latest_metrics", `"key", value, timestamp, step, is_nan`, ms.reserve, func(i int, row *lite.Stmt) {
		m := store.Metric{Key: keys.text(row, 1), Value: row.Float64(2), Timestamp: row.Int64(3), Step: row.Int64(4)}
		if row.Int64(5) != 0 {
			m.Value = nan64
		}
		ms.add(i, m)
	})
	if err != nil {
		return err
	}
	ms.split(len(runs), func(i int, part []store.Metric) { runs[i].Data.Metrics = part })
	var ps grouped[store.Param]
	err = p.rows(rq, "params", `"key", value`, ps.reserve, func(i int, row *lite.Stmt) {
		ps.add(i, store.Param{Key: keys.text(row, 1), Value: row.Text(2)})
	})
	if err != nil {
		return err
	}
	ps.split(len(runs), func(i int, part []store.Param) { runs[i].Data.Params = part })
	var ts grouped[store.Tag]
	err = p.rows(rq, "tags", `"key", value`, ts.reserve, func(i int, row *lite.Stmt) {
		ts.add(i, store.Tag{Key: keys.text(row, 1), Value: row.Text(2)})
	})
	if err != nil {
		return err
	}
	ts.split(len(runs), func(i int, part []store.Tag) { runs[i].Data.Tags = part })
	// Sorting a run's few rows here is cheaper than an ORDER BY, which
	// SQLite would answer with a temporary b-tree of the whole page.
	for _, r := range runs {
		slices.SortFunc(r.Data.Metrics, func(a, b store.Metric) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(r.Data.Params, func(a, b store.Param) int { return strings.Compare(a.Key, b.Key) })
		slices.SortFunc(r.Data.Tags, func(a, b store.Tag) int { return strings.Compare(a.Key, b.Key) })
	}
	args := []any{p.list}
	const each = `json_each(?) AS j CROSS JOIN `
	run := func(row *lite.Stmt) *store.Run {
		if i := row.Int64(0); i >= 0 && i < int64(len(runs)) {
			return runs[i]
		}
		return nil
	}
	// Dataset inputs with their tags, in the order they were linked.
	type key struct {
		run   *store.Run
		input string
	}
	seen := map[key]int{}
	err = rq.query(`SELECT j.key, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile, t.name, t.value
		FROM `+each+`inputs AS i ON i.destination_type = 'RUN' AND i.destination_id = j.value AND i.source_type = 'DATASET'
		JOIN datasets AS d ON d.dataset_uuid = i.source_id
		LEFT JOIN input_tags AS t ON t.input_uuid = i.input_uuid
		ORDER BY i.rowid, t.name`, args, func(row *lite.Stmt) error {
		r := run(row)
		if r == nil {
			return nil
		}
		k := key{r, row.Text(1)}
		i, ok := seen[k]
		if !ok {
			i = len(r.Inputs.Datasets)
			seen[k] = i
			r.Inputs.Datasets = append(r.Inputs.Datasets, store.DatasetInput{Dataset: store.Dataset{
				Name: row.Text(2), Digest: row.Text(3), SourceType: row.Text(4),
				Source: row.Text(5), Schema: row.Text(6), Profile: row.Text(7),
			}})
		}
		if !row.Null(8) {
			r.Inputs.Datasets[i].Tags = append(r.Inputs.Datasets[i].Tags, store.Tag{Key: row.Text(8), Value: row.Text(9)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Model inputs and outputs: links from the run (source) to a model.
	return rq.query(`SELECT j.key, i.source_type, i.destination_type, i.destination_id, i.step
		FROM `+each+`inputs AS i ON i.source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND i.source_id = j.value
		ORDER BY i.rowid`, args, func(row *lite.Stmt) error {
		r := run(row)
		if r == nil {
			return nil
		}
		switch src, dst := row.Text(1), row.Text(2); {
		case src == "RUN_INPUT" && dst == "MODEL_INPUT":
			r.Inputs.Models = append(r.Inputs.Models, store.ModelIO{ModelID: row.Text(3)})
		case src == "RUN_OUTPUT" && dst == "MODEL_OUTPUT":
			r.Outputs.Models = append(r.Outputs.Models, store.ModelIO{ModelID: row.Text(3), Step: row.Int64(4)})
		}
		return nil
	})
}

// interner hands out one string per distinct text: the runs of a page
// repeat the same few metric, param and tag keys, and a key read as a new
// string each time would be an allocation per row.
type interner map[string]string

// text returns column col of row's current row as a string.
func (in interner) text(row *lite.Stmt, col int) string {
	b := row.TextBytes(col)
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in) < 1024 {
		in[s] = s
	}
	return s
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

// pageToken says where the next page of SearchRuns starts. Offset is
// MLflow's own field (its tokens are base64 of {"offset": n}); StartTime and
// RunID name the last run of the previous page, so the next page is found
// without sorting and skipping all the runs before it.
type pageToken struct {
	Offset    int    `json:"offset"`
	StartTime *int64 `json:"start_time,omitempty"`
	RunID     string `json:"run_id,omitempty"`
}

func decodePageToken(tok string) (pageToken, error) {
	var pt pageToken
	if tok == "" {
		return pt, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &pt)
	}
	if err != nil || pt.Offset < 0 || (pt.RunID == "") != (pt.StartTime == nil) {
		return pageToken{}, store.Errorf(store.CodeInvalidParameter, "invalid page token %q", tok)
	}
	return pt, nil
}

func (pt pageToken) encode() string {
	b, _ := json.Marshal(pt)
	return base64.StdEncoding.EncodeToString(b)
}

// prefixed puts p before each of the comma-separated columns cols.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// SearchRuns lists the active runs of the given experiments, newest start
// time first (then by run id, so that pages never overlap; runs without a
// start time last), with their latest metrics, params, tags,
// inputs and outputs.
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
	tok, err := decodePageToken(q.PageToken)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(q.ExperimentIDs))
	args := make([]any, 0, len(ids)+6)
	for i, e := range q.ExperimentIDs {
		n, err := parseExperimentID(e)
		if err != nil {
			return nil, "", err
		}
		ids[i] = "?"
		args = append(args, n)
	}
	// The view type picks the lifecycle stages; the filter and order_by of
	// MLflow's grammar are not evaluated here yet.
	stages := []any{store.LifecycleActive, store.LifecycleActive}
	switch q.ViewType {
	case store.DeletedOnly:
		stages = []any{store.LifecycleDeleted, store.LifecycleDeleted}
	case store.AllStages:
		stages = []any{store.LifecycleActive, store.LifecycleDeleted}
	}
	args = append(args, stages...)
	where := `experiment_id IN (` + strings.Join(ids, ", ") + `) AND lifecycle_stage IN (?, ?)`
	var out []*store.Run
	next := ""
	err = s.readLong(ctx, func(rq reader) error {
		order, err := rq.runOrder(where, args)
		if err != nil {
			return err
		}
		keys := order.keys
		if tok.RunID == "" {
			keys = keys[min(tok.Offset, len(keys)):]
		} else {
			i, err := order.after(rq, *tok.StartTime, tok.RunID)
			if err != nil {
				return err
			}
			keys = keys[i:]
		}
		more := len(keys) > size
		if more {
			keys = keys[:size]
		}
		if len(keys) == 0 {
			return nil
		}
		rowids := make([]int64, len(keys))
		for i, k := range keys {
			rowids[i] = k.rowid
		}
		list, _ := json.Marshal(rowids)
		// The page's runs are one array: one allocation, not one a run.
		page := make([]store.Run, len(keys))
		out = make([]*store.Run, len(keys))
		err = rq.query(`SELECT j.key, `+prefixed("r.", runColumns)+` FROM json_each(?) AS j CROSS JOIN runs AS r ON r.rowid = j.value`, []any{string(list)}, func(row *lite.Stmt) error {
			if i := row.Int64(0); i >= 0 && i < int64(len(out)) {
				page[i].Info = runInfoFromRow(row, 1)
				out[i] = &page[i]
			}
			return nil
		})
		if err != nil {
			return err
		}
		// A run deleted since the keys were read cannot be missing within
		// one read transaction, but keep the page dense regardless.
		out = slices.DeleteFunc(out, func(r *store.Run) bool { return r == nil })
		if more && len(out) > 0 {
			last := keys[len(keys)-1]
			next = pageToken{Offset: tok.Offset + size, StartTime: &last.start, RunID: out[len(out)-1].Info.RunID}.encode()
		}
		return fillRuns(rq, out)
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
