package sqlstore

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"
)

// Revision is the alembic revision of the schema grove creates: the head of
// the MLflow release grove was checked against.
const Revision = "7d34483879f0"

//go:embed schema.sql
var schemaSQL string

// busyTimeout is how long a statement waits for another process's lock
// before it fails; MLflow itself waits 20 s.
const busyTimeout = 20 * time.Second

// Options tune a Store. The zero value is MLflow's default layout.
type Options struct {
	// ArtifactRoot is where new experiments keep their artifacts, as a path
	// or file:// URI: experiment <id> gets <ArtifactRoot>/<id>. Empty means
	// the folder mlruns beside the database file, made absolute, as MLflow
	// does for sqlite:///mlflow.db.
	ArtifactRoot string
}

// Store is MLflow's tracking store in an SQLite file. It implements
// store.Store and is safe for concurrent use by goroutines and processes.
type Store struct {
	path         string
	artifactRoot string
	revision     string

	wmu    sync.Mutex    // one write transaction of this process at a time
	writer *lite.Conn    // under wmu; opened on the first write
	closed bool          // under wmu
	ckpt   *checkpointer // copies the WAL into the database file

	readers readers // idle read connections
}

var _ store.Store = (*Store)(nil)

// Open opens the MLflow database at dbPath, creating it with MLflow's full
// schema when the file does not exist or is empty. An existing file must be
// an MLflow database that has the tables and columns grove writes; anything
// else is refused without being modified. So is a database, or a folder,
// this process may not write: the error says which.
func Open(ctx context.Context, dbPath string, opts Options) (*Store, error) {
	if dbPath == "" {
		return nil, errors.New("sqlstore: empty database path")
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: database path %s: %w", dbPath, err)
	}
	root := opts.ArtifactRoot
	if root == "" {
		root = filepath.Join(filepath.Dir(abs), "mlruns")
	} else if !strings.Contains(root, "://") && !strings.HasPrefix(root, "file:") {
		if root, err = filepath.Abs(root); err != nil {
			return nil, fmt.Errorf("sqlstore: artifact root %s: %w", opts.ArtifactRoot, err)
		}
	}
	root = strings.TrimRight(root, "/")

	fresh, err := checkFile(abs)
	if err != nil {
		return nil, err
	}
	// SQLite would open a file it cannot write for reading only, and leave
	// its log and index files behind with the file's mode, in the way of the
	// next run once the file is writable again: refuse before it opens.
	if err := checkWritable(abs); err != nil {
		return nil, err
	}
	rev := ""
	if !fresh {
		// Look before touching: a file that is not an MLflow database, or
		// one too old for grove, must be left exactly as it was.
		if rev, err = inspect(abs); err != nil {
			return nil, err
		}
	} else if err := create(abs); err != nil {
		return nil, err
	}
	s := &Store{path: abs, artifactRoot: root, revision: rev, readers: readers{path: abs}}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.ckpt, err = startCheckpointer(abs); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", abs, err)
	}
	return s, nil
}

// create makes an empty database file, which SQLite takes for a new
// database; another process may have made it already.
func create(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("sqlstore: create database %s: %w", path, err)
	}
	return f.Close()
}

// checkWritable refuses a database this process cannot write: SQLite needs
// the file, its write-ahead log and index (path-wal, path-shm) when they
// exist, and the folder, where it creates them.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	if !writable(dir) {
		return fmt.Errorf("sqlstore: folder %s is not writable; SQLite keeps %s's log and lock files beside it", dir, filepath.Base(path))
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil && !writable(p) {
			return fmt.Errorf("sqlstore: %s is read-only", p)
		}
	}
	return nil
}

var sqliteHeader = []byte("SQLite format 3\x00")

// checkFile reports whether path is a new database: missing or empty. A file
// that does not start with SQLite's header is refused.
func checkFile(path string) (fresh bool, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return false, fmt.Errorf("sqlstore: folder of database %s: %w", path, err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: database %s: %w", path, err)
	}
	if st.IsDir() {
		return false, fmt.Errorf("sqlstore: database %s is a folder, not a file", path)
	}
	if st.Size() == 0 {
		return true, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("sqlstore: database %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return false, fmt.Errorf("sqlstore: %s is not an SQLite database; grove leaves it untouched", path)
	}
	return false, nil
}

// required lists the tables and columns grove reads and writes. A database
// that a newer MLflow migrated keeps working as long as these remain: every
// statement names its columns, and new columns have defaults.
var required = map[string][]string{
	"alembic_version":      {"version_num"},
	"experiments":          {"experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time", "last_update_time"},
	"experiment_tags":      {"key", "value", "experiment_id"},
	"runs":                 {"run_uuid", "name", "source_type", "source_name", "entry_point_name", "user_id", "status", "start_time", "end_time", "source_version", "lifecycle_stage", "artifact_uri", "experiment_id"},
	"tags":                 {"key", "value", "run_uuid"},
	"params":               {"key", "value", "run_uuid"},
	"metrics":              {"key", "value", "timestamp", "step", "is_nan", "run_uuid"},
	"latest_metrics":       {"key", "value", "timestamp", "step", "is_nan", "run_uuid"},
	"datasets":             {"dataset_uuid", "experiment_id", "name", "digest", "dataset_source_type", "dataset_source", "dataset_schema", "dataset_profile"},
	"inputs":               {"input_uuid", "source_type", "source_id", "destination_type", "destination_id", "step"},
	"input_tags":           {"input_uuid", "name", "value"},
	"logged_models":        {"model_id", "experiment_id", "name", "artifact_location", "creation_timestamp_ms", "last_updated_timestamp_ms", "status", "lifecycle_stage", "model_type", "source_run_id"},
	"logged_model_params":  {"model_id", "experiment_id", "param_key", "param_value"},
	"logged_model_tags":    {"model_id", "experiment_id", "tag_key", "tag_value"},
	"logged_model_metrics": {"model_id", "metric_name", "metric_timestamp_ms", "metric_step", "metric_value", "experiment_id", "run_id", "dataset_uuid", "dataset_name", "dataset_digest"},
}

// inspect opens path for reading and checks it with checkSchema. An SQLite
// file without any table gives "", and Open then initialises it as MLflow
// would.
func inspect(path string) (string, error) {
	c, err := openConn(path, true)
	if err != nil {
		return "", fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	defer c.Close()
	return checkSchema(tx{c}, path)
}

// checkSchema checks that the database at path, which t reads, is an MLflow
// database grove can use. It returns the alembic revision, or "" for a
// database without any table.
func checkSchema(t tx, path string) (string, error) {
	tables, err := tableColumns(t)
	if err != nil {
		return "", fmt.Errorf("sqlstore: read schema of %s: %w", path, err)
	}
	if len(tables) == 0 {
		return "", nil
	}
	if tables["alembic_version"] == nil || tables["experiments"] == nil || tables["runs"] == nil {
		return "", fmt.Errorf("sqlstore: %s is not an MLflow database (no alembic_version, experiments or runs table); grove leaves it untouched", path)
	}
	var rev string
	found, err := t.row(`SELECT version_num FROM alembic_version`, nil, func(row *lite.Stmt) { rev = row.Text(0) })
	if err == nil && !found {
		err = errors.New("the table alembic_version is empty")
	}
	if err != nil {
		return "", fmt.Errorf("sqlstore: %s has no alembic revision: %w", path, err)
	}
	for table, cols := range required {
		have := tables[table]
		if have == nil {
			return "", fmt.Errorf("sqlstore: MLflow database %s at revision %s has no table %s; upgrade it once with `mlflow db upgrade sqlite:///%s`", path, rev, table, filepath.ToSlash(path))
		}
		for _, c := range cols {
			if !have[c] {
				return "", fmt.Errorf("sqlstore: MLflow database %s at revision %s has no column %s.%s; upgrade it once with `mlflow db upgrade sqlite:///%s`", path, rev, table, c, filepath.ToSlash(path))
			}
		}
	}
	return rev, nil
}

// tableColumns returns the columns of every table of the database.
func tableColumns(t tx) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	err := t.query(`SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'`, nil, func(row *lite.Stmt) error {
		tab := row.Text(0)
		if out[tab] == nil {
			out[tab] = map[string]bool{}
		}
		out[tab][row.Text(1)] = true
		return nil
	})
	return out, err
}

// init puts the database in WAL mode, which lets readers (mlflow ui) and one
// writer work at once, and creates the schema when the database has no
// table yet, then checks it unless Open already read its revision. Creation
// runs in one BEGIN IMMEDIATE transaction, so processes that open a new
// file at the same time create it once.
func (s *Store) init(ctx context.Context) error {
	c, err := openConn(s.path, false)
	if err == nil {
		s.writer = c
		err = walMode(ctx, c)
	}
	if err == nil {
		err = s.write(ctx, func(t tx) error {
			hasTables, err := t.row(`SELECT 1 FROM sqlite_master WHERE type = 'table'`, nil, func(*lite.Stmt) {})
			if err != nil || hasTables {
				return err
			}
			// A script of many statements, run once: not one for the
			// connection's statement cache.
			if err := t.c.Exec(schemaSQL); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
			return s.seed(t)
		})
	}
	if err != nil {
		return fmt.Errorf("sqlstore: initialise %s: %w", s.path, err)
	}
	if s.revision != "" {
		return nil // Open's first look found the schema, and tables do not vanish
	}
	// The first look saw no schema: check the one just created, or the one
	// another process created between that look and the open.
	err = s.read(ctx, func(r reader) error {
		s.revision, err = checkSchema(r.tx, s.path)
		return err
	})
	return err
}

// walMode switches the database to WAL. The switch needs the file to
// itself, and SQLite answers "database is locked" at once, without waiting
// for the busy timeout, when another process holds a read lock it would
// have to wait for while it waits for this one's (processes of a sweep that
// open a new file together): so it is tried again, for up to the busy
// timeout.
func walMode(ctx context.Context, c *lite.Conn) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := c.Exec("PRAGMA journal_mode = WAL")
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// seed inserts the rows MLflow puts in a fresh database.
func (s *Store) seed(t tx) error {
	now := nowMillis()
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO alembic_version (version_num) VALUES (?)`, []any{Revision}},
		{`INSERT INTO workspaces (name, description, default_artifact_root) VALUES (?, ?, NULL)`,
			[]any{"default", "Default workspace for legacy resources"}},
		{`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (0, ?, ?, ?, ?, ?, ?)`,
			[]any{"Default", s.artifactRoot + "/0", store.LifecycleActive, now, now, "default"}},
	}
	for _, st := range stmts {
		if err := t.exec(st.q, st.args...); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	s.wmu.Lock()
	s.closed = true
	var werr error
	if s.writer != nil {
		werr = s.writer.Close()
		s.writer = nil
	}
	s.wmu.Unlock()
	if err := errors.Join(s.readers.close(), werr, s.ckpt.close()); err != nil {
		return fmt.Errorf("sqlstore: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// ArtifactRoot returns where new experiments keep their artifacts.
func (s *Store) ArtifactRoot() string { return s.artifactRoot }

// SchemaRevision returns the alembic revision of the database: Revision for
// one grove created, a later one for a database a newer MLflow upgraded.
func (s *Store) SchemaRevision() string { return s.revision }

func nowMillis() int64 { return time.Now().UnixMilli() }
