package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
	"github.com/grove-ml/grove/tracking/store"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
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
	db           *sql.DB
	path         string
	artifactRoot string
	revision     string

	wmu   sync.Mutex // one write transaction of this process at a time
	smu   sync.Mutex // guards stmts
	stmts map[string]*sql.Stmt

	readers     readers       // lite connections for long reads
	ckpt        *checkpointer // copies the WAL into the database file
	pointWriter *lite.Conn    // writes batches of metric points alone; under wmu
	closed      bool          // under wmu
}

var _ store.Store = (*Store)(nil)

// Open opens the MLflow database at dbPath, creating it with MLflow's full
// schema when the file does not exist or is empty. An existing file must be
// an MLflow database that has the tables and columns grove writes; anything
// else is refused without being modified.
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

	fresh, err := checkFile(ctx, abs)
	if err != nil {
		return nil, err
	}
	rev := ""
	if !fresh {
		// Look before touching: a file that is not an MLflow database, or
		// one too old for grove, must be left exactly as it was.
		if rev, err = inspect(ctx, abs); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", abs, err)
	}
	// Idle connections keep their prepared statements; a few suffice, since
	// writes are serialised anyway.
	db.SetMaxIdleConns(4)
	s := &Store{db: db, path: abs, artifactRoot: root, revision: rev, readers: readers{path: abs}}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if s.ckpt, err = startCheckpointer(abs); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", abs, err)
	}
	return s, nil
}

// dsn is the driver's name for the database at path. Writers begin with
// BEGIN IMMEDIATE, so two processes never both hold a read snapshot and then
// race to upgrade it to a write lock (which SQLite would answer with
// SQLITE_BUSY at once, whatever the timeout).
func dsn(path string, readOnly bool) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x becomes file:///C:/x, as SQLite reads URIs on Windows
	}
	u := url.URL{Scheme: "file", Path: p}
	q := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1", busyTimeout.Milliseconds())
	if readOnly {
		q += "&mode=ro"
	} else {
		// WAL lets readers (mlflow ui) and one writer work at once, and
		// synchronous=NORMAL is WAL's durable-against-crash setting. A 32 MB
		// page cache keeps a long history in memory between reads; statement
		// journals (for multi-row inserts) stay in memory. Commits never
		// checkpoint: the Store's checkpointer does (checkpoint.go).
		q += "&_txlock=immediate&_journal_mode=WAL&_synchronous=NORMAL" +
			"&_pragma=cache_size(-32768)&_pragma=temp_store(2)&_pragma=wal_autocheckpoint(0)"
	}
	return u.String() + "?" + q
}

var sqliteHeader = []byte("SQLite format 3\x00")

// checkFile reports whether path is a new database: missing or empty. A file
// that does not start with SQLite's header is refused.
func checkFile(ctx context.Context, path string) (fresh bool, err error) {
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

// inspect opens path read-only and checks it with checkSchema. An SQLite
// file without any table gives "", and Open then initialises it as MLflow
// would.
func inspect(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return "", fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return checkSchema(ctx, db, path)
}

// checkSchema checks that db, the database at path, is an MLflow database
// grove can use. It returns the alembic revision, or "" for a database
// without any table.
func checkSchema(ctx context.Context, db *sql.DB, path string) (string, error) {
	tables, err := tableColumns(ctx, db)
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
	if err := db.QueryRowContext(ctx, `SELECT version_num FROM alembic_version`).Scan(&rev); err != nil {
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

// tableColumns returns the columns of every table in db.
func tableColumns(ctx context.Context, db *sql.DB) (map[string]map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]bool{}
		}
		out[t][c] = true
	}
	return out, rows.Err()
}

// init creates the schema when the database has no table yet, then checks
// it unless Open already read its revision. Creation runs in one BEGIN
// IMMEDIATE transaction, so processes that open a new file at the same time
// create it once.
func (s *Store) init(ctx context.Context) error {
	err := s.write(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Tx.ExecContext(ctx, schemaSQL); err != nil { // once: not worth caching
			return fmt.Errorf("create schema: %w", err)
		}
		return s.seed(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("sqlstore: initialise %s: %w", s.path, err)
	}
	if s.revision != "" {
		return nil // Open's first look found the schema, and tables do not vanish
	}
	// The first look saw no schema: check the one just created, or the one
	// another process created between that look and the open.
	rev, err := checkSchema(ctx, s.db, s.path)
	if err != nil {
		return err
	}
	s.revision = rev
	return nil
}

// seed inserts the rows MLflow puts in a fresh database.
func (s *Store) seed(ctx context.Context, tx *txn) error {
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
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	s.smu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.smu.Unlock()
	s.wmu.Lock()
	s.closed = true
	var werr error
	if s.pointWriter != nil {
		werr = s.pointWriter.Close()
		s.pointWriter = nil
	}
	s.wmu.Unlock()
	return errors.Join(s.readers.close(), werr, s.ckpt.close(), s.db.Close())
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// ArtifactRoot returns where new experiments keep their artifacts.
func (s *Store) ArtifactRoot() string { return s.artifactRoot }

// SchemaRevision returns the alembic revision of the database: Revision for
// one grove created, a later one for a database a newer MLflow upgraded.
func (s *Store) SchemaRevision() string { return s.revision }

func nowMillis() int64 { return time.Now().UnixMilli() }
