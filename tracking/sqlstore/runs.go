package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
		return nil, wrap(err, "create run")
	}
	start := req.StartTime
	if start == 0 {
		start = nowMillis()
	}
	runID := newUUIDHex()
	var info store.RunInfo
	err = s.write(ctx, func(t tx) error {
		loc, err := experimentLocation(t, expID)
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
		if err := t.exec(`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', ?, ?, ?, NULL, '', ?, ?, ?)`,
			runID, name, req.UserID, string(store.StatusRunning), start, store.LifecycleActive, info.ArtifactURI, expID); err != nil {
			return err
		}
		return setTags(t, runID, tags)
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
		return nil, errorf(store.CodeInvalidParameter, "run status %q is not one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED", status)
	}
	var info *store.RunInfo
	err := s.write(ctx, func(t tx) error {
		if _, err := activeRun(t, runID); err != nil {
			return err
		}
		if err := t.exec(`UPDATE runs SET status = ? WHERE run_uuid = ?`, string(status), runID); err != nil {
			return err
		}
		if endTime != 0 {
			if err := t.exec(`UPDATE runs SET end_time = ? WHERE run_uuid = ?`, endTime, runID); err != nil {
				return err
			}
		}
		if runName != "" {
			if err := setRunName(t, runID, runName); err != nil {
				return err
			}
		}
		var err error
		info, err = getRunInfo(t, runID)
		return err
	})
	return info, wrap(err, "update run %s", runID)
}

func setRunName(t tx, runID, name string) error {
	if err := t.exec(`UPDATE runs SET name = ? WHERE run_uuid = ?`, name, runID); err != nil {
		return err
	}
	return t.exec(`INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value`,
		runNameTag, name, runID)
}

// activeRun checks that the run exists and is active, and returns its
// experiment id.
func activeRun(t tx, runID string) (int64, error) {
	var life string
	var exp int64
	found, err := t.row(`SELECT lifecycle_stage, experiment_id FROM runs WHERE run_uuid = ?`, []any{runID}, func(row *lite.Stmt) {
		life, exp = row.Text(0), row.Int64(1)
	})
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, errorf(store.CodeNotFound, "no run with id %s", runID)
	}
	return exp, checkActive(runID, life)
}

// checkActive refuses to log to a run that is not active.
func checkActive(runID, lifecycle string) error {
	if lifecycle != store.LifecycleActive {
		return errorf(store.CodeInvalidParameter, "run %s must be active, it is %s", runID, lifecycle)
	}
	return nil
}

const runColumns = `run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage`

func getRunInfo(t tx, runID string) (*store.RunInfo, error) {
	var ri store.RunInfo
	found, err := t.row(`SELECT `+runColumns+` FROM runs WHERE run_uuid = ?`, []any{runID}, func(row *lite.Stmt) {
		ri = runInfoFromRow(row, 0)
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errorf(store.CodeNotFound, "no run with id %s", runID)
	}
	return &ri, nil
}

// GetRun returns a run with its latest metrics, params, tags, inputs and
// outputs.
func (s *Store) GetRun(ctx context.Context, runID string) (*store.Run, error) {
	var run *store.Run
	err := s.read(ctx, func(rq reader) error {
		err := rq.query(`SELECT `+runColumns+` FROM runs WHERE run_uuid = ?`, []any{runID}, func(row *lite.Stmt) error {
			run = &store.Run{Info: runInfoFromRow(row, 0)}
			return nil
		})
		if err != nil {
			return err
		}
		if run == nil {
			return errorf(store.CodeNotFound, "no run with id %s", runID)
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

// Artifacts returns the local repository behind a run's artifact URI or a
// logged model's artifact location. Only local paths and file:// URIs are
// supported: those are what this store hands out. Writes under the store's
// artifact root keep a go.mod there (artifact.ModuleFile).
func (s *Store) Artifacts(ctx context.Context, artifactURI string) (store.ArtifactRepo, error) {
	if artifactURI == "" {
		return nil, errorf(store.CodeInvalidParameter, "empty artifact URI")
	}
	if i := strings.Index(artifactURI, ":"); i > 1 && !strings.HasPrefix(artifactURI, "file:") {
		return nil, errorf(store.CodeInvalidParameter, "artifact URI %s: only local paths and file:// URIs are supported by the SQLite store", artifactURI)
	}
	return artifact.NewLocalIn(s.artifactRoot, artifactURI), nil
}
