package rest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// Artifacts returns the repository behind an artifact URI as the server
// reports it for a run or a logged model:
//
//   - mlflow-artifacts:/<path> (a server run with artifact proxying, MLflow's
//     default): files go through the server's artifact endpoints under
//     /api/2.0/mlflow-artifacts/artifacts/<path>, with this store's
//     credentials; mlflow-artifacts://<host>/<path> names another server,
//     reached with this store's scheme and credentials;
//   - http(s)://.../api/2.0/mlflow-artifacts/artifacts/<path>: the same,
//     spelled out;
//   - a local path or a file:// URI (a server started with
//     --no-serve-artifacts on a shared filesystem): files are written there
//     directly.
//
// Other schemes (s3://, gs://, ...) would need those services' clients; a
// server that proxies artifacts hides them behind mlflow-artifacts:/.
func (s *Store) Artifacts(ctx context.Context, artifactURI string) (store.ArtifactRepo, error) {
	bad := func(why string) error {
		return store.Errorf(store.CodeInvalidParameter, "rest: artifact URI %q: %s", artifactURI, why)
	}
	if artifactURI == "" {
		return nil, bad("empty")
	}
	if strings.HasPrefix(artifactURI, "/") || isWindowsPath(artifactURI) {
		return artifact.NewLocal(artifactURI), nil
	}
	u, err := url.Parse(artifactURI)
	if err != nil {
		return nil, bad(err.Error())
	}
	switch u.Scheme {
	case "":
		return artifact.NewLocal(artifactURI), nil
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, bad("a file URI on another host cannot be written from here")
		}
		return artifact.NewLocal(artifactURI), nil
	case "mlflow-artifacts":
		p := u.Path
		if p == "" {
			p = u.Opaque
		}
		root, err := cleanRoot(p)
		if err != nil {
			return nil, bad(err.Error())
		}
		via := s
		if u.Host != "" && u.Host != s.base.Host {
			c := *s
			c.base = &url.URL{Scheme: s.base.Scheme, Host: u.Host}
			c.server = c.base.String()
			via = &c
		}
		return &proxyRepo{s: via, root: root}, nil
	case "http", "https":
		before, after, ok := strings.Cut(u.Path, epArtifacts)
		if !ok || (after != "" && after[0] != '/') {
			return nil, bad("an http artifact URI must point under " + epArtifacts)
		}
		root, err := cleanRoot(after)
		if err != nil {
			return nil, bad(err.Error())
		}
		c := *s
		c.base = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(before, "/")}
		c.server = c.base.String()
		return &proxyRepo{s: &c, root: root}, nil
	}
	return nil, bad(fmt.Sprintf("scheme %q is not supported; let the server proxy artifacts (mlflow server --serve-artifacts) so runs get mlflow-artifacts:/ URIs", u.Scheme))
}

func isWindowsPath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// cleanRoot turns the path of an artifact URI into the root under the
// server's artifact endpoint, refusing any that would climb out of it.
func cleanRoot(p string) (string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	return artifact.CleanPath(p)
}

// proxyRepo reads and writes artifacts through the tracking server's
// artifact proxy: PUT to upload, GET to download, GET with ?path= to list.
type proxyRepo struct {
	s    *Store
	root string // under /api/2.0/mlflow-artifacts/artifacts, no slashes around
}

func (r *proxyRepo) join(p string) string {
	switch {
	case r.root == "":
		return p
	case p == "":
		return r.root
	}
	return r.root + "/" + p
}

// Put uploads the contents of body to path. An *os.File or any reader that
// can seek is sent as is (and rewound for a retry); another reader is read
// into memory first so that a retry can send it again.
func (r *proxyRepo) Put(ctx context.Context, p string, body io.Reader) error {
	clean, err := artifact.CleanPath(p)
	if err != nil {
		return err
	}
	if clean == "" {
		return store.Errorf(store.CodeInvalidParameter, "rest: an artifact needs a file name")
	}
	var up io.ReadSeeker
	if ra, ok := body.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		off, err1 := ra.Seek(0, io.SeekCurrent)
		end, err2 := ra.Seek(0, io.SeekEnd)
		if err1 == nil && err2 == nil {
			up = io.NewSectionReader(ra, off, end-off)
		}
	}
	if up == nil {
		b, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("rest: reading artifact %s: %w", clean, err)
		}
		up = bytes.NewReader(b)
	}
	c := &call{method: http.MethodPut, endpoint: epArtifacts + "/" + r.join(clean),
		upload: up, ctype: contentType(clean),
		what: fmt.Sprintf("upload artifact %s", clean), idempotent: true}
	return r.s.do(ctx, c, nil)
}

// List returns the files and folders directly under dir, sorted by path.
func (r *proxyRepo) List(ctx context.Context, dir string) ([]store.FileInfo, error) {
	clean, err := artifact.CleanPath(dir)
	if err != nil {
		return nil, err
	}
	c := &call{method: http.MethodGet, endpoint: epArtifacts,
		query: url.Values{"path": {r.join(clean)}},
		what:  fmt.Sprintf("list artifacts under %q", clean), idempotent: true}
	var out struct {
		Files []api.FileInfo `json:"files"`
	}
	if err := r.s.do(ctx, c, &out); err != nil {
		return nil, err
	}
	infos := make([]store.FileInfo, 0, len(out.Files))
	for _, f := range out.Files {
		// The server names entries relative to the folder listed; a name
		// that is not a plain relative path is refused rather than trusted.
		name, err := artifact.CleanPath(f.Path)
		if err != nil || name == "" {
			return nil, r.s.malformed(c, fmt.Sprintf("artifact entry %q is not a relative path", f.Path))
		}
		full := name
		if clean != "" {
			full = clean + "/" + name
		}
		var size int64
		if f.FileSize != nil && !f.IsDir {
			size = int64(*f.FileSize)
		}
		infos = append(infos, store.FileInfo{Path: full, IsDir: f.IsDir, Size: size})
	}
	// Listing a file answers with the file itself; the contract lists
	// folders only.
	if clean != "" && len(infos) == 1 && !infos[0].IsDir && infos[0].Path == clean+"/"+path.Base(clean) {
		return nil, nil
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Path < infos[j].Path })
	return infos, nil
}

// Open downloads the file at path. The whole file is read before Open
// returns, so that a failure midway is retried rather than handed to the
// reader as a short file.
func (r *proxyRepo) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	clean, err := artifact.CleanPath(p)
	if err != nil {
		return nil, err
	}
	if clean == "" {
		return nil, store.Errorf(store.CodeInvalidParameter, "rest: cannot open the artifact root as a file")
	}
	c := &call{method: http.MethodGet, endpoint: epArtifacts + "/" + r.join(clean),
		what: fmt.Sprintf("download artifact %s", clean), idempotent: true}
	body, err := r.s.send(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}

// textNames are sent as text/plain, as MLflow's client sends them, so that
// its UI shows them inline.
var textExts = map[string]bool{
	".txt": true, ".log": true, ".err": true, ".cfg": true, ".conf": true, ".cnf": true,
	".cf": true, ".ini": true, ".properties": true, ".prop": true, ".hocon": true,
	".toml": true, ".yaml": true, ".yml": true, ".xml": true, ".json": true, ".js": true,
	".py": true, ".py3": true, ".csv": true, ".tsv": true, ".md": true, ".rst": true,
	".go": true,
}

func contentType(p string) string {
	base := path.Base(p)
	if base == "MLmodel" || base == "MLproject" || textExts[strings.ToLower(path.Ext(base))] {
		return "text/plain"
	}
	if t := mime.TypeByExtension(path.Ext(base)); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}
