package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/sqlstore/internal/lite"
)

var (
	spaces      = regexp.MustCompile(`\s+`)
	afterParen  = regexp.MustCompile(`\( `)
	beforeParen = regexp.MustCompile(` \)`)
	beforeComma = regexp.MustCompile(` ,`)
)

// normalise makes two spellings of the same DDL statement equal: whitespace,
// identifier quotes and IF NOT EXISTS (which alembic's table rebuilds leave
// in sqlite_master) do not change what the statement creates.
func normalise(stmt string) string {
	s := spaces.ReplaceAllString(strings.TrimSpace(stmt), " ")
	s = strings.ReplaceAll(s, "IF NOT EXISTS ", "")
	s = strings.ReplaceAll(s, `"`, "")
	s = afterParen.ReplaceAllString(s, "(")
	s = beforeParen.ReplaceAllString(s, ")")
	s = beforeComma.ReplaceAllString(s, ",")
	return strings.TrimSuffix(s, ";")
}

// schemaOf returns "type name: normalised sql" for every table, index and
// trigger of db, sorted, plus the structure SQLite itself reports for every
// table (columns, indexes, foreign keys), which no spelling can hide.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rows, err := db.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, stmt string
		if err := rows.Scan(&typ, &name, &stmt); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+": "+normalise(stmt))
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, tb := range tables {
		for _, q := range []string{
			`SELECT cid, name, type, "notnull", coalesce(dflt_value, 'NULL'), pk FROM pragma_table_info(?)`,
			`SELECT id, seq, "table", "from", coalesce("to", ''), on_update, on_delete FROM pragma_foreign_key_list(?)`,
			`SELECT l.name, l."unique", l.origin, i.seqno, coalesce(i.name, '') FROM pragma_index_list(?) AS l JOIN pragma_index_info(l.name) AS i`,
		} {
			rows, err := db.QueryContext(ctx, q, tb)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("pragma %s %v", tb, vals))
			}
			rows.Close()
		}
	}
	sort.Strings(out)
	return out
}

// TestNewDatabaseSchema checks that a database grove creates has exactly the
// schema of the one the real MLflow created (testdata/mlflow-schema.sql is
// `sqlite3 golden.db .schema`), and MLflow's seed rows.
func TestNewDatabaseSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "mlflow.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	want, err := os.ReadFile("testdata/mlflow-schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, "ref.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	if _, err := ref.ExecContext(ctx, string(want)); err != nil {
		t.Fatal(err)
	}
	got, exp := schemaOf(t, sqlDB(t, s)), schemaOf(t, ref)
	if len(exp) < 100 {
		t.Fatalf("reference schema has only %d entries", len(exp))
	}
	gotSet := map[string]bool{}
	for _, g := range got {
		gotSet[g] = true
	}
	expSet := map[string]bool{}
	for _, e := range exp {
		expSet[e] = true
		if !gotSet[e] {
			t.Errorf("missing from grove's schema:\n  %s", e)
		}
	}
	for _, g := range got {
		if !expSet[g] {
			t.Errorf("not in MLflow's schema:\n  %s", g)
		}
	}

	head, err := os.ReadFile("testdata/alembic_head.txt")
	if err != nil {
		t.Fatal(err)
	}
	if rev := strings.TrimSpace(string(head)); rev != Revision || s.SchemaRevision() != rev {
		t.Errorf("revision: constant %s, database %s, MLflow head %s", Revision, s.SchemaRevision(), rev)
	}
	var (
		name, loc, life, ws string
		ct, ut              int64
	)
	if err := sqlDB(t, s).QueryRow(`SELECT name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace FROM experiments WHERE experiment_id = 0`).
		Scan(&name, &loc, &life, &ct, &ut, &ws); err != nil {
		t.Fatal(err)
	}
	if name != "Default" || loc != filepath.Join(dir, "mlruns")+"/0" || life != "active" || ws != "default" || ct == 0 || ct != ut {
		t.Errorf("experiment 0 = %q %q %q %d %d %q", name, loc, life, ct, ut, ws)
	}
	var wsName, wsDesc string
	var wsRoot sql.NullString
	if err := sqlDB(t, s).QueryRow(`SELECT name, description, default_artifact_root FROM workspaces`).Scan(&wsName, &wsDesc, &wsRoot); err != nil {
		t.Fatal(err)
	}
	if wsName != "default" || wsDesc != "Default workspace for legacy resources" || wsRoot.Valid {
		t.Errorf("workspace row = %q %q %v", wsName, wsDesc, wsRoot)
	}
	var mode string
	var fk int64
	err = s.read(ctx, func(r reader) error {
		if _, err := r.row(`PRAGMA journal_mode`, nil, func(row *lite.Stmt) { mode = row.Text(0) }); err != nil {
			return err
		}
		_, err := r.row(`PRAGMA foreign_keys`, nil, func(row *lite.Stmt) { fk = row.Int64(0) })
		return err
	})
	if err != nil || mode != "wal" {
		t.Errorf("journal mode %q (%v), want wal", mode, err)
	}
	if fk != 1 {
		t.Errorf("foreign keys off")
	}
	// grove never writes MLflow's legacy file-store markers.
	if _, err := os.Stat(filepath.Join(dir, "mlruns", "0", "meta.yaml")); err == nil {
		t.Error("meta.yaml written")
	}
}

func TestNormalise(t *testing.T) {
	a := "CREATE TABLE IF NOT EXISTS \"runs\" (\n\trun_uuid VARCHAR(32) NOT NULL, \n\tCONSTRAINT run_pk PRIMARY KEY (run_uuid)\n);"
	b := "CREATE TABLE runs ( run_uuid VARCHAR(32) NOT NULL , CONSTRAINT run_pk PRIMARY KEY (run_uuid) )"
	if normalise(a) != normalise(b) {
		t.Fatalf("%q != %q", normalise(a), normalise(b))
	}
	if normalise(a) == normalise(strings.Replace(b, "NOT NULL", "", 1)) {
		t.Fatal("normalise hides a difference")
	}
}
