package rest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

func TestArtifactsURI(t *testing.T) {
	s, err := New("https://mlflow.example.com:8443/prefix", Options{})
	must(t, err)
	dir := t.TempDir()
	tests := []struct {
		uri    string
		server string // proxy: the server the files go through
		root   string // proxy: the root under the artifact endpoint
		local  string // local: the folder
		bad    bool
	}{
		{uri: "mlflow-artifacts:/1/abc/artifacts", server: "https://mlflow.example.com:8443/prefix", root: "1/abc/artifacts"},
		{uri: "mlflow-artifacts:1/abc/artifacts", server: "https://mlflow.example.com:8443/prefix", root: "1/abc/artifacts"},
		{uri: "mlflow-artifacts://other:5000/1/m/artifacts", server: "https://other:5000", root: "1/m/artifacts"},
		{uri: "http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts", server: "http://h:5000", root: "1/abc/artifacts"},
		{uri: "https://h/ml/api/2.0/mlflow-artifacts/artifacts/2/x", server: "https://h/ml", root: "2/x"},
		{uri: dir, local: dir},
		{uri: "file://" + filepath.ToSlash(dir), local: dir},
		{uri: "mlruns/1/abc/artifacts", local: "mlruns/1/abc/artifacts"},
		{uri: "", bad: true},
		{uri: "s3://bucket/1/abc", bad: true},
		{uri: "mlflow-artifacts:/1/../../etc", bad: true},
		{uri: "http://h/somewhere/else", bad: true},
		{uri: "http://h/api/2.0/mlflow-artifacts/artifactsX/1", bad: true},
		{uri: "file://otherhost/x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			repo, err := s.Artifacts(context.Background(), tt.uri)
			if tt.bad {
				if err == nil || !errors.Is(err, store.ErrInvalidParameter) {
					t.Fatalf("err = %v, want invalid parameter", err)
				}
				return
			}
			must(t, err)
			switch r := repo.(type) {
			case *proxyRepo:
				if tt.local != "" {
					t.Fatalf("a proxy repo for a local path")
				}
				eq(t, "server", r.s.server, tt.server)
				eq(t, "root", r.root, tt.root)
			case *artifact.Local:
				if tt.local == "" {
					t.Fatalf("a local repo for a proxied URI")
				}
				eq(t, "local root", r.Root(), tt.local)
			default:
				t.Fatalf("repo %T", repo)
			}
		})
	}
}

// TestProxyRoundTrip uploads, lists and downloads through the artifact
// proxy of a fake server.
func TestProxyRoundTrip(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{})
	ctx := context.Background()
	repo, err := s.Artifacts(ctx, "mlflow-artifacts:/1/run/artifacts")
	must(t, err)

	// A file handed over part-read: only what is left is uploaded.
	file := filepath.Join(t.TempDir(), "model.bin")
	must(t, os.WriteFile(file, []byte("HEADERpayload"), 0o644))
	fh, err := os.Open(file)
	must(t, err)
	defer fh.Close()
	_, err = fh.Seek(6, io.SeekStart)
	must(t, err)
	must(t, repo.Put(ctx, "model/model.bin", fh))
	must(t, repo.Put(ctx, "model/MLmodel", strings.NewReader("flavors: {}\n")))
	must(t, repo.Put(ctx, "train.go", strings.NewReader("package main\n")))
	must(t, repo.Put(ctx, "empty.txt", strings.NewReader("")))

	root, err := repo.List(ctx, "")
	must(t, err)
	eq(t, "root", root, []store.FileInfo{{Path: "empty.txt"}, {Path: "model", IsDir: true}, {Path: "train.go", Size: 13}})
	sub, err := repo.List(ctx, "model")
	must(t, err)
	eq(t, "model/", sub, []store.FileInfo{{Path: "model/MLmodel", Size: 12}, {Path: "model/model.bin", Size: 7}})
	none, err := repo.List(ctx, "nothing-here")
	must(t, err)
	eq(t, "missing folder", len(none), 0)

	rc, err := repo.Open(ctx, "model/model.bin")
	must(t, err)
	b, _ := io.ReadAll(rc)
	rc.Close()
	eq(t, "model.bin", string(b), "payload")

	_, err = repo.Open(ctx, "missing.txt")
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("opening a missing file: %v, want not found", err)
	}
	for _, bad := range []string{"../x", "/etc/passwd", "a//b", `a\b`} {
		if err := repo.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, artifact.ErrBadPath) {
			t.Errorf("Put(%q) = %v, want a bad path error", bad, err)
		}
	}
	if err := repo.Put(ctx, "", strings.NewReader("x")); err == nil {
		t.Error("Put to the root itself succeeded")
	}
	eq(t, "files on the server", len(f.files), 4)
}

// TestLocalArtifacts: a server that reports local paths has its artifacts
// written straight into the folder.
func TestLocalArtifacts(t *testing.T) {
	s, err := New("http://127.0.0.1:1", Options{})
	must(t, err)
	dir := t.TempDir()
	repo, err := s.Artifacts(context.Background(), filepath.Join(dir, "1", "run", "artifacts"))
	must(t, err)
	must(t, repo.Put(context.Background(), "charts/loss.html", strings.NewReader("<html></html>")))
	b, err := os.ReadFile(filepath.Join(dir, "1", "run", "artifacts", "charts", "loss.html"))
	must(t, err)
	eq(t, "file", string(b), "<html></html>")
}

func TestContentType(t *testing.T) {
	for p, want := range map[string]string{
		"MLmodel": "text/plain", "requirements.txt": "text/plain", "conda.yaml": "text/plain",
		"train.go": "text/plain", "metric_info.json": "text/plain", "m/model.bin": "application/octet-stream",
		"training_confusion_matrix.png": "image/png", "estimator.html": "text/html",
	} {
		eq(t, p, contentType(p), want)
	}
}
