package artifact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/grove-ml/grove/tracking/store"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "", want: ""},
		{in: "model.bin", want: "model.bin"},
		{in: "charts/loss.html", want: "charts/loss.html"},
		{in: "a/b/c.txt", want: "a/b/c.txt"},
		{in: ".hidden", want: ".hidden"},
		{in: "a..b", want: "a..b"},
		{in: "ab:c", want: "ab:c"},
		{in: "x:y", bad: true},
		{in: "/etc/passwd", bad: true},
		{in: "..", bad: true},
		{in: "../x", bad: true},
		{in: "a/../../x", bad: true},
		{in: "a/..", bad: true},
		{in: ".", bad: true},
		{in: "./a", bad: true},
		{in: "a/./b", bad: true},
		{in: "a//b", bad: true},
		{in: "a/", bad: true},
		{in: `a\..\..\x`, bad: true},
		{in: `\x`, bad: true},
		{in: "C:/x", bad: true},
		{in: "c:x", bad: true},
		{in: "a\x00b", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CleanPath(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("CleanPath(%q) = %q, want an error", tt.in, got)
				}
				if !errors.Is(err, ErrBadPath) {
					t.Fatalf("CleanPath(%q) error %v does not wrap ErrBadPath", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CleanPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", "a", "a/b", "../a", "/a", `a\b`, "a//b", "C:/a", "a/./b", "..a/b.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := CleanPath(p)
		if err != nil {
			return
		}
		if got != p {
			t.Fatalf("CleanPath(%q) changed the path to %q", p, got)
		}
		if got == "" {
			return
		}
		// An accepted path joined to a root stays under that root.
		root := filepath.FromSlash("/r/o/o/t")
		j := filepath.Join(root, filepath.FromSlash(got))
		if !strings.HasPrefix(j, root+string(filepath.Separator)) {
			t.Fatalf("CleanPath(%q) accepted a path that leaves the root: %s", p, j)
		}
		if filepath.IsAbs(got) || strings.Contains(got, `\`) || strings.Contains(got, "//") {
			t.Fatalf("CleanPath(%q) accepted %q", p, got)
		}
		for _, seg := range strings.Split(got, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("CleanPath(%q) accepted segment %q", p, seg)
			}
		}
		// Cleaning is idempotent.
		if again, err := CleanPath(got); err != nil || again != got {
			t.Fatalf("CleanPath(CleanPath(%q)) = %q, %v", p, again, err)
		}
	})
}

func TestNewLocalFileURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tmp/mlruns/1/abc/artifacts", "/tmp/mlruns/1/abc/artifacts"},
		{"file:///tmp/mlruns/1/abc/artifacts", "/tmp/mlruns/1/abc/artifacts"},
		{"file://localhost/tmp/x", "/tmp/x"},
		{"file:/tmp/x", "/tmp/x"},
		{"file:///tmp/with%20space", "/tmp/with space"},
		{"relative/dir", "relative/dir"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NewLocal(tt.in).Root(); got != filepath.FromSlash(tt.want) {
				t.Errorf("NewLocal(%q).Root() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "1", "run", "artifacts")
	l := NewLocal("file://" + filepath.ToSlash(root))

	// A root that does not exist yet lists as empty.
	if got, err := l.List(ctx, ""); err != nil || len(got) != 0 {
		t.Fatalf("List of a missing root = %v, %v", got, err)
	}
	if _, err := l.Open(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Open in a missing root: %v, want not found", err)
	}

	files := map[string]string{
		"train.go":                      "package main\n",
		"charts/loss.html":              "<html></html>",
		"charts/deep/acc.html":          "",
		"training_confusion_matrix.png": strings.Repeat("\x89PNG", 100),
	}
	for p, body := range files {
		if err := l.Put(ctx, p, strings.NewReader(body)); err != nil {
			t.Fatalf("Put(%q): %v", p, err)
		}
	}
	for p, body := range files {
		rc, err := l.Open(ctx, p)
		if err != nil {
			t.Fatalf("Open(%q): %v", p, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != body {
			t.Fatalf("Open(%q) read %q, %v; want %q", p, b, err, body)
		}
	}
	got, err := l.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.FileInfo{
		{Path: "charts", IsDir: true},
		{Path: "train.go", Size: int64(len(files["train.go"]))},
		{Path: "training_confusion_matrix.png", Size: 400},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List root = %+v, want %+v", got, want)
	}
	got, err = l.List(ctx, "charts")
	if err != nil {
		t.Fatal(err)
	}
	want = []store.FileInfo{
		{Path: "charts/deep", IsDir: true},
		{Path: "charts/loss.html", Size: 13},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List charts = %+v, want %+v", got, want)
	}
	if got, err := l.List(ctx, "nothing/here"); err != nil || len(got) != 0 {
		t.Fatalf("List of a missing folder = %v, %v", got, err)
	}
	if _, err := l.Open(ctx, "charts"); err == nil {
		t.Fatal("Open of a folder succeeded")
	}
	// Overwriting replaces the whole file.
	if err := l.Put(ctx, "train.go", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "train.go")); string(b) != "x" {
		t.Fatalf("after overwrite the file holds %q", b)
	}
	// No meta.yaml, no leftovers.
	filepath.WalkDir(filepath.Dir(filepath.Dir(root)), func(p string, d os.DirEntry, err error) error {
		if d != nil && (d.Name() == "meta.yaml" || isTemp(d.Name())) {
			t.Errorf("unexpected file %s", p)
		}
		return nil
	})
}

func TestPutRefusesBadPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := NewLocal(filepath.Join(dir, "root"))
	for _, p := range []string{"", "../escape", "/abs", "a/../../escape", `..\escape`} {
		t.Run(p, func(t *testing.T) {
			if err := l.Put(ctx, p, strings.NewReader("x")); err == nil {
				t.Errorf("Put(%q) succeeded", p)
			}
			if _, err := l.Open(ctx, p); err == nil {
				t.Errorf("Open(%q) succeeded", p)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
		t.Fatal("a file was written outside the root")
	}
}

func TestSymlinkEscape(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	root := filepath.Join(dir, "root")
	for _, d := range []string{outside, root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "secretlink")); err != nil {
		t.Fatal(err)
	}
	l := NewLocal(root)
	if err := l.Put(ctx, "link/new", strings.NewReader("x")); err == nil {
		t.Error("Put through a symlink out of the root succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Error("a file was written outside the root through a symlink")
	}
	for _, p := range []string{"link/secret", "secretlink"} {
		if rc, err := l.Open(ctx, p); err == nil {
			rc.Close()
			t.Errorf("Open(%q) through a symlink out of the root succeeded", p)
		}
	}
	if _, err := l.List(ctx, "link"); err == nil {
		t.Error("List through a symlink out of the root succeeded")
	}
	got, err := l.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("List shows escaping links: %+v", got)
	}
}

// TestPutFailureLeavesOldFile checks that a writer failing half-way leaves
// neither a partial file nor a temporary one behind.
func TestPutFailureLeavesOldFile(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	l := NewLocal(root)
	if err := l.Put(ctx, "m/model.bin", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	r := io.MultiReader(strings.NewReader("new partial"), iotest.ErrReader(errors.New("disk gone")))
	if err := l.Put(ctx, "m/model.bin", r); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	if err := l.Put(ctx, "m/fresh.bin", iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	b, err := os.ReadFile(filepath.Join(root, "m", "model.bin"))
	if err != nil || string(b) != "old" {
		t.Fatalf("model.bin = %q, %v; want the old contents", b, err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "m"))
	if len(entries) != 1 {
		t.Fatalf("folder holds %d entries, want only model.bin", len(entries))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Put(cctx, "m/late.bin", strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: %v", err)
	}
}

func TestPutDir(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "sub", "deeper"), 0o755))
	must(os.WriteFile(filepath.Join(src, "MLmodel"), []byte("flavors: {}\n"), 0o644))
	must(os.WriteFile(filepath.Join(src, "sub", "deeper", "w.bin"), bytes.Repeat([]byte{1}, 64), 0o644))
	os.Symlink("/etc/passwd", filepath.Join(src, "passwd")) // must not be followed

	l := NewLocal(t.TempDir())
	must(PutDir(ctx, l, "model", src))
	must(PutFile(ctx, l, "single/MLmodel", filepath.Join(src, "MLmodel")))
	var paths []string
	var walk func(dir string)
	walk = func(dir string) {
		list, err := l.List(ctx, dir)
		must(err)
		for _, fi := range list {
			if fi.IsDir {
				walk(fi.Path)
			} else {
				paths = append(paths, fi.Path)
			}
		}
	}
	walk("")
	want := []string{"model/MLmodel", "model/sub/deeper/w.bin", "single/MLmodel"}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("uploaded %v, want %v", paths, want)
	}
	if err := PutDir(ctx, l, "../x", src); err == nil {
		t.Fatal("PutDir to ../x succeeded")
	}
}

func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	l := NewLocal(b.TempDir())
	body := bytes.Repeat([]byte("x"), 4096)
	for b.Loop() {
		if err := l.Put(ctx, "charts/loss.html", bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestErrorsNamePackage checks that every error Local returns starts with
// "artifact: " and still matches what callers test for with errors.Is.
func TestErrorsNamePackage(t *testing.T) {
	dir := t.TempDir()
	l := NewLocal(filepath.Join(dir, "root"))
	ctx := context.Background()
	if err := l.Put(ctx, "sub/a.txt", strings.NewReader("a")); err != nil {
		t.Fatal(err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	open := func(ctx context.Context, p string) error {
		rc, err := l.Open(ctx, p)
		if err == nil {
			rc.Close()
		}
		return err
	}
	list := func(ctx context.Context, p string) error { _, err := l.List(ctx, p); return err }
	tests := []struct {
		name string
		call func() error
		is   error
	}{
		{"put bad path", func() error { return l.Put(ctx, "../x", strings.NewReader("")) }, ErrBadPath},
		{"put cancelled", func() error { return l.Put(done, "b.txt", strings.NewReader("")) }, context.Canceled},
		{"open missing", func() error { return open(ctx, "nope.txt") }, store.ErrNotFound},
		{"open missing root", func() error { _, err := NewLocal(filepath.Join(dir, "none")).Open(ctx, "a"); return err }, store.ErrNotFound},
		{"open folder", func() error { return open(ctx, "sub") }, store.ErrInvalidParameter},
		{"open cancelled", func() error { return open(done, "sub/a.txt") }, context.Canceled},
		{"list bad path", func() error { return list(ctx, "/abs") }, ErrBadPath},
		{"list cancelled", func() error { return list(done, "") }, context.Canceled},
		{"put missing file", func() error { return PutFile(ctx, l, "c.txt", filepath.Join(dir, "missing")) }, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want one matching %v", err, tt.is)
			}
			if !strings.HasPrefix(err.Error(), "artifact: ") {
				t.Errorf("error %q does not start with \"artifact: \"", err)
			}
		})
	}
}
