package artifact

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// ErrBadPath is the sentinel that CleanPath's errors wrap.
var ErrBadPath = errors.New("artifact: bad path")

// PathError reports a refused artifact path and why.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("artifact: path %q refused: %s", e.Path, e.Reason)
}

// Unwrap lets errors.Is find ErrBadPath.
func (e *PathError) Unwrap() error { return ErrBadPath }

// CleanPath checks an artifact path and returns it in canonical form: relative
// to the artifact root, '/'-separated, without a trailing slash. "" names the
// root itself. Anything that could name a file outside the root, or that two
// operating systems would read differently, is refused with a *PathError.
func CleanPath(p string) (string, error) {
	bad := func(reason string) (string, error) { return "", &PathError{Path: p, Reason: reason} }
	if p == "" {
		return "", nil
	}
	if strings.IndexByte(p, 0) >= 0 {
		return bad("contains a NUL byte")
	}
	if strings.ContainsRune(p, '\\') {
		// A backslash is a separator on Windows: "a\..\..\x" would climb there.
		return bad(`contains a backslash`)
	}
	if strings.HasPrefix(p, "/") {
		return bad("is absolute")
	}
	if len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z') {
		return bad("starts with a drive letter")
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return bad("has an empty segment")
		case ".", "..":
			return bad(fmt.Sprintf("has a %q segment", seg))
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return bad("is not local to the artifact root")
	}
	return p, nil
}

// Local is an artifact repository in a local folder. It implements
// store.ArtifactRepo and is safe for concurrent use.
type Local struct {
	root string // an OS path
	base string // the store's folder of all artifacts that holds root; "" if unknown
}

var _ store.ArtifactRepo = (*Local)(nil)

// NewLocal returns the repository rooted at root, a local path or a file://
// URI. The folder need not exist yet.
func NewLocal(root string) *Local {
	return &Local{root: LocalPath(root)}
}

// NewLocalIn returns the repository rooted at root, a folder inside base, the
// folder a store keeps every experiment's artifacts in (mlruns beside
// mlflow.db). Writes through it first make sure base holds a ModuleFile, so
// that the copies of programs a run records are never compiled as part of a
// Go module that encloses base. A root outside base is left as NewLocal
// leaves it.
func NewLocalIn(base, root string) *Local {
	l := NewLocal(root)
	b := LocalPath(base)
	if rel, err := filepath.Rel(b, l.root); b != "" && err == nil && filepath.IsLocal(rel) {
		l.base = b
	}
	return l
}

// LocalPath turns an artifact URI as MLflow stores it (a path or a file://
// URI) into an OS path.
func LocalPath(uri string) string {
	if strings.HasPrefix(uri, "file:") {
		if u, err := url.Parse(uri); err == nil && (u.Host == "" || u.Host == "localhost") {
			p := u.Path
			if p == "" {
				p = u.Opaque
			}
			return filepath.FromSlash(p)
		}
	}
	return uri
}

// Root returns the folder the repository writes into.
func (l *Local) Root() string { return l.root }

// openRoot opens the artifact root, creating it when create is set. A missing
// root without create is reported as fs.ErrNotExist.
func (l *Local) openRoot(create bool) (*os.Root, error) {
	if l.root == "" {
		return nil, errors.New("artifact: empty artifact root")
	}
	if create {
		if err := os.MkdirAll(l.root, 0o755); err != nil {
			return nil, fmt.Errorf("artifact: create root: %w", err)
		}
	}
	r, err := os.OpenRoot(l.root)
	if err != nil {
		return nil, fmt.Errorf("artifact: open root: %w", err)
	}
	return r, nil
}

// Put writes r to p, creating folders as needed. The bytes go to a temporary
// file in the same folder first and are renamed into place only when they
// are all written and synced.
func (l *Local) Put(ctx context.Context, p string, r io.Reader) error {
	clean, err := CleanPath(p)
	if err != nil {
		return err
	}
	if clean == "" {
		return &PathError{Path: p, Reason: "names the artifact root, not a file"}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	l.fence()
	root, err := l.openRoot(true)
	if err != nil {
		return err
	}
	defer root.Close()
	dir, base := path.Split(clean)
	if dir != "" {
		if err := root.MkdirAll(strings.TrimSuffix(dir, "/"), 0o755); err != nil {
			return fmt.Errorf("artifact: put %s: %w", clean, err)
		}
	}
	tmp, f, err := createTemp(root, dir, base)
	if err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	if err := root.Rename(tmp, clean); err != nil {
		return fmt.Errorf("artifact: put %s: %w", clean, err)
	}
	ok = true
	return nil
}

// createTemp creates a fresh hidden file beside dir/base inside root.
func createTemp(root *os.Root, dir, base string) (string, *os.File, error) {
	var b [8]byte
	for range 10 {
		rand.Read(b[:])
		name := dir + "." + base + ".tmp-" + hex.EncodeToString(b[:])
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, f, err
	}
	return "", nil, errors.New("no free temporary name")
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// List returns the files and folders directly under dir ("" for the root),
// sorted by path, with paths relative to the root. A root that does not
// exist yet lists as empty, as a run without artifacts does in MLflow.
func (l *Local) List(ctx context.Context, dir string) ([]store.FileInfo, error) {
	clean, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("artifact: list %q: %w", clean, err)
	}
	if _, err := os.Stat(l.root); errors.Is(err, fs.ErrNotExist) {
		return []store.FileInfo{}, nil
	}
	root, err := l.openRoot(false)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	name := clean
	if name == "" {
		name = "."
	}
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return []store.FileInfo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("artifact: list %q: %w", clean, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("artifact: list %q: %w", clean, err)
	}
	if !st.IsDir() {
		// MLflow lists a file path as nothing beneath it.
		return []store.FileInfo{}, nil
	}
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("artifact: list %q: %w", clean, err)
	}
	out := make([]store.FileInfo, 0, len(entries))
	for _, e := range entries {
		if isTemp(e.Name()) {
			continue
		}
		p := e.Name()
		if clean != "" {
			p = clean + "/" + p
		}
		fi := store.FileInfo{Path: p}
		info, err := root.Stat(p) // follows links that stay inside the root
		if err != nil {
			continue // a dangling or escaping link is not an artifact
		}
		if info.IsDir() {
			fi.IsDir = true
		} else {
			fi.Size = info.Size()
		}
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// isTemp reports whether name is one of Put's temporary files.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// Open returns the contents of the file at p.
func (l *Local) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	clean, err := CleanPath(p)
	if err != nil {
		return nil, err
	}
	if clean == "" {
		return nil, &PathError{Path: p, Reason: "names the artifact root, not a file"}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("artifact: open %s: %w", clean, err)
	}
	root, err := l.openRoot(false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound(clean)
		}
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(clean)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(clean)
	}
	if err != nil {
		return nil, fmt.Errorf("artifact: open %s: %w", clean, err)
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		if err == nil {
			return nil, fmt.Errorf("artifact: open %s: %w", clean, store.Errorf(store.CodeInvalidParameter, "%s is a folder, not a file", clean))
		}
		return nil, fmt.Errorf("artifact: open %s: %w", clean, err)
	}
	return f, nil
}

// notFound is MLflow's not-found error for the artifact at clean.
func notFound(clean string) error {
	return fmt.Errorf("artifact: open %s: %w", clean, store.Errorf(store.CodeNotFound, "no artifact at %s", clean))
}

// PutFile uploads the local file src to p in repo.
func PutFile(ctx context.Context, repo store.ArtifactRepo, p, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("artifact: put file: %w", err)
	}
	defer f.Close()
	return repo.Put(ctx, p, f)
}

// PutDir uploads every regular file under the local folder src to the
// folder dir ("" for the root) of repo, keeping their relative paths.
// Symbolic links and other special files under src are skipped, so an
// upload never copies files from outside src.
func PutDir(ctx context.Context, repo store.ArtifactRepo, dir, src string) error {
	cleanDir, err := CleanPath(dir)
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("artifact: put dir: %w", err)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return fmt.Errorf("artifact: put dir: %w", err)
		}
		dst := filepath.ToSlash(rel)
		if cleanDir != "" {
			dst = cleanDir + "/" + dst
		}
		return PutFile(ctx, repo, dst, p)
	})
}
