package memstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/grove-ml/grove/tracking/store"
)

// Artifacts implements store.Store: the files under uri, kept in the store.
func (s *Store) Artifacts(_ context.Context, uri string) (store.ArtifactRepo, error) {
	return &Repo{s: s, root: strings.TrimSuffix(uri, "/")}, nil
}

// Repo is an artifact root inside a Store.
type Repo struct {
	s    *Store
	root string
}

func (r *Repo) key(p string) (string, error) {
	clean := path.Clean("/" + p)[1:]
	if clean == "" || clean != p {
		return "", errorf(store.CodeInvalidParameter, "bad artifact path %q", p)
	}
	return r.root + "/" + clean, nil
}

// Put implements store.ArtifactRepo.
func (r *Repo) Put(_ context.Context, p string, src io.Reader) error {
	k, err := r.key(p)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(src)
	if err != nil {
		return fmt.Errorf("memstore: put artifact %q: %w", p, err)
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.files[k] = b
	return nil
}

// List implements store.ArtifactRepo.
func (r *Repo) List(_ context.Context, dir string) ([]store.FileInfo, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	prefix := r.root + "/"
	if d := strings.Trim(dir, "/"); d != "" {
		prefix += d + "/"
	}
	seen := map[string]store.FileInfo{}
	for k, b := range r.s.files {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if first, _, isDir := strings.Cut(rest, "/"); isDir {
			rel := strings.TrimPrefix(prefix+first, r.root+"/")
			seen[rel] = store.FileInfo{Path: rel, IsDir: true}
		} else {
			rel := strings.TrimPrefix(k, r.root+"/")
			seen[rel] = store.FileInfo{Path: rel, Size: int64(len(b))}
		}
	}
	out := make([]store.FileInfo, 0, len(seen))
	for _, f := range seen {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b store.FileInfo) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Open implements store.ArtifactRepo.
func (r *Repo) Open(_ context.Context, p string) (io.ReadCloser, error) {
	k, err := r.key(p)
	if err != nil {
		return nil, err
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	b, ok := r.s.files[k]
	if !ok {
		return nil, errorf(store.CodeNotFound, "no artifact %q", p)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}
