package sqlstore

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// CreateExperiment creates an active experiment with the next free id. An
// empty artifactLocation means <artifact root>/<id>; a relative local path
// is made absolute, as MLflow does.
func (s *Store) CreateExperiment(ctx context.Context, name, artifactLocation string, tags []store.Tag) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errorf(store.CodeInvalidParameter, "experiment name must not be empty")
	}
	if n := chars(name); n > maxExperimentNameLength {
		return "", errorf(store.CodeInvalidParameter, "experiment name is %d characters long, the limit is %d", n, maxExperimentNameLength)
	}
	for _, t := range tags {
		if err := checkExperimentTag(t.Key, t.Value); err != nil {
			return "", err
		}
	}
	if artifactLocation != "" && !strings.Contains(artifactLocation, ":") {
		abs, err := filepath.Abs(artifactLocation)
		if err != nil {
			return "", wrap(err, "artifact location %s", artifactLocation)
		}
		artifactLocation = abs
	}
	var id int64
	err := s.write(ctx, func(t tx) error {
		exists, err := t.row(`SELECT 1 FROM experiments WHERE name = ?`, []any{name}, func(*lite.Stmt) {})
		if err != nil {
			return err
		}
		if exists {
			return errorf(store.CodeAlreadyExists, "experiment %q already exists", name)
		}
		now := nowMillis()
		var loc any
		if artifactLocation != "" {
			loc = artifactLocation
		}
		_, err = t.row(`INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?) RETURNING experiment_id`,
			[]any{name, loc, store.LifecycleActive, now, now}, func(row *lite.Stmt) { id = row.Int64(0) })
		if err != nil {
			return err
		}
		if artifactLocation == "" {
			// The default location needs the id SQLite just chose.
			if err := t.exec(`UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?`,
				s.artifactRoot+"/"+strconv.FormatInt(id, 10), id); err != nil {
				return err
			}
		}
		for _, tag := range tags {
			if err := t.exec(`INSERT INTO experiment_tags ("key", value, experiment_id) VALUES (?, ?, ?) ON CONFLICT ("key", experiment_id) DO UPDATE SET value = excluded.value`,
				tag.Key, tag.Value, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", wrap(err, "create experiment %q", name)
	}
	return strconv.FormatInt(id, 10), nil
}

// parseExperimentID checks an experiment id: MLflow's are decimal integers.
func parseExperimentID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf(store.CodeInvalidParameter, "experiment id %q is not a non-negative integer", id)
	}
	return n, nil
}

const experimentColumns = `experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time`

// GetExperiment returns the experiment with id, deleted or not.
func (s *Store) GetExperiment(ctx context.Context, id string) (*store.Experiment, error) {
	n, err := parseExperimentID(id)
	if err != nil {
		return nil, err
	}
	var e *store.Experiment
	err = s.read(ctx, func(r reader) error {
		e, err = getExperiment(r.tx, `WHERE experiment_id = ?`, n)
		return err
	})
	if err == nil && e == nil {
		return nil, errorf(store.CodeNotFound, "no experiment with id %s", id)
	}
	return e, wrap(err, "get experiment %s", id)
}

// GetExperimentByName returns the experiment called name, deleted or not.
func (s *Store) GetExperimentByName(ctx context.Context, name string) (*store.Experiment, error) {
	var e *store.Experiment
	err := s.read(ctx, func(r reader) error {
		var err error
		e, err = getExperiment(r.tx, `WHERE name = ?`, name)
		return err
	})
	if err == nil && e == nil {
		return nil, errorf(store.CodeNotFound, "no experiment named %q", name)
	}
	return e, wrap(err, "get experiment %q", name)
}

// getExperiment returns the experiment that where selects, or nil.
func getExperiment(t tx, where string, arg any) (*store.Experiment, error) {
	var e store.Experiment
	var id int64
	found, err := t.row(`SELECT `+experimentColumns+` FROM experiments `+where, []any{arg}, func(row *lite.Stmt) {
		id = row.Int64(0)
		e.ID, e.Name = strconv.FormatInt(id, 10), row.Text(1)
		e.ArtifactLocation, e.LifecycleStage = row.Text(2), row.Text(3)
		e.CreationTime, e.LastUpdateTime = row.Int64(4), row.Int64(5)
	})
	if err != nil || !found {
		return nil, err
	}
	e.Tags = map[string]string{}
	err = t.query(`SELECT "key", value FROM experiment_tags WHERE experiment_id = ?`, []any{id}, func(row *lite.Stmt) error {
		e.Tags[row.Text(0)] = row.Text(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// SetExperimentTag sets or replaces a tag of an active experiment.
func (s *Store) SetExperimentTag(ctx context.Context, experimentID, key, value string) error {
	n, err := parseExperimentID(experimentID)
	if err != nil {
		return err
	}
	if err := checkExperimentTag(key, value); err != nil {
		return err
	}
	err = s.write(ctx, func(t tx) error {
		if _, err := experimentLocation(t, n); err != nil {
			return err
		}
		return t.exec(`INSERT INTO experiment_tags ("key", value, experiment_id) VALUES (?, ?, ?) ON CONFLICT ("key", experiment_id) DO UPDATE SET value = excluded.value`,
			key, value, n)
	})
	return wrap(err, "set tag %q of experiment %s", key, experimentID)
}

// experimentLocation returns the artifact location of active experiment id.
func experimentLocation(t tx, id int64) (string, error) {
	var loc, life string
	found, err := t.row(`SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?`, []any{id}, func(row *lite.Stmt) {
		loc, life = row.Text(0), row.Text(1)
	})
	if err != nil {
		return "", err
	}
	if !found {
		return "", errorf(store.CodeNotFound, "no experiment with id %d", id)
	}
	if life != store.LifecycleActive {
		return "", errorf(store.CodeInvalidParameter, "experiment %d must be active, it is %s", id, life)
	}
	return loc, nil
}

// MLflow's limits that tracking/store does not list, because only the
// SQLite store enforces them here (the server enforces its own).
const (
	maxExperimentNameLength     = 500
	maxExperimentTagValueLength = 5000
	maxDatasetNameLength        = 500
	maxDatasetDigestLength      = 36
	maxDatasetSourceLength      = 65535
	maxDatasetSchemaLength      = 1048575
	maxDatasetProfileLength     = 16777215
	maxInputTagKeyLength        = 255
	maxInputTagValueLength      = 500
)

func checkExperimentTag(key, value string) error {
	if err := checkKey("experiment tag", key); err != nil {
		return err
	}
	if n := chars(value); n > maxExperimentTagValueLength {
		return errorf(store.CodeInvalidParameter, "experiment tag %q value is %d characters long, the limit is %d", key, n, maxExperimentTagValueLength)
	}
	return nil
}

// checkKey refuses keys MLflow would refuse for their length or emptiness;
// the tracking client checks the finer rules before a request is made.
func checkKey(what, key string) error {
	if key == "" {
		return errorf(store.CodeInvalidParameter, "%s key must not be empty", what)
	}
	if n := chars(key); n > store.MaxKeyLength {
		return errorf(store.CodeInvalidParameter, "%s key %.40q... is %d characters long, the limit is %d", what, key, n, store.MaxKeyLength)
	}
	return nil
}

// chars measures a string as MLflow measures it against its limits: Python's
// len of a str, which counts code points, not UTF-8 bytes. Counting bytes
// would refuse non-ASCII values that MLflow and grove's client accept. A
// byte that is not valid UTF-8 counts as one, as the U+FFFD it becomes on
// the way through JSON would.
func chars(s string) int { return utf8.RuneCountInString(s) }
