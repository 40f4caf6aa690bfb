package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/internal/golden"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestOutputGolden runs command lines whose output does not depend on the
// machine and compares it, with the exit status, with testdata/NAME.golden.
func TestOutputGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"help", []string{"-h"}},
		{"usage-no-from", []string{"-to", "sqlite:///b.db"}},
		{"usage-no-to", []string{"-from", "sqlite:///a.db"}},
		{"usage-same", []string{"-from", "sqlite:///a.db", "-to", "sqlite:///a.db"}},
		{"usage-dry-run-delete", []string{"-from", "sqlite:///a.db", "-to", "sqlite:///b.db", "-dry-run", "-delete-source"}},
		{"usage-argument", []string{"-from", "sqlite:///a.db", "-to", "sqlite:///b.db", "now"}},
		{"usage-unknown-flag", []string{"-force"}},
		{"fail-file-store", []string{"-from", "./mlruns", "-to", "sqlite:///b.db"}},
		{"usage-no-source-database", []string{"-from", "sqlite:///testdata/missing.db", "-to", "sqlite:///b.db"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out, &out)
			code := command.Exit(err, &out)
			fmt.Fprintf(&out, "exit status %d\n", code)
			golden.Check(t, tt.name, out.String(), *update)
		})
	}
}

// record records n ended runs with a metric history and an artifact into
// the SQLite database at path.
func record(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetLogger(nil)
	e, err := c.GetOrCreateExperiment(ctx, "random_forest")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r, err := c.StartRun(ctx, e.ID, tracking.RunOptions{Name: fmt.Sprintf("run-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		for step := range 10 {
			if err := r.LogMetric(ctx, "loss", 1/float64(step+1), int64(step)); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.LogArtifactBytes(ctx, "notes.txt", []byte("hello")); err != nil {
			t.Fatal(err)
		}
		if err := r.End(ctx, store.StatusFinished); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSyncToServer pushes a SQLite file to a server on loopback, prints the
// summary, and a second sync copies nothing.
func TestSyncToServer(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "spool.db")
	record(t, src, 3)
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "server.db"), sqlstore.Options{ArtifactRoot: filepath.Join(dir, "artifacts")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(dir, "artifacts")}))
	defer srv.Close()
	args := []string{"-from", "sqlite:///" + src, "-to", srv.URL}

	var out, errs bytes.Buffer
	if err := run(context.Background(), append(args, "-dry-run"), &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "would copy 3 runs, 30 points, 15 bytes from") || strings.Count(out.String(), "would copy run ") != 3 {
		t.Errorf("dry run printed:\n%s", out.String())
	}
	for _, want := range []string{"copied 3 runs, 30 points, 15 bytes", "copied 0 runs, 0 points, 0 bytes; 3 already there"} {
		out.Reset()
		if err := run(context.Background(), args, &out, &errs); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), want+" from sqlite:///") || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("printed %q, want one line starting %q", out.String(), want)
		}
	}
	if errs.Len() > 0 {
		t.Errorf("stderr, not a terminal, got %q", errs.String())
	}
}

// TestInterrupted stops at once on a cancelled context and says how to
// finish.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	record(t, filepath.Join(dir, "a.db"), 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, []string{"-from", "sqlite:///" + filepath.Join(dir, "a.db"), "-to", "sqlite:///" + filepath.Join(dir, "b.db")}, &out, &out)
	code := command.Exit(err, &out)
	if code != 130 || !strings.Contains(out.String(), "run the same command again") {
		t.Errorf("exit %d, printed %q", code, out.String())
	}
}
