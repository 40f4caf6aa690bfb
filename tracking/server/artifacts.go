package server

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// shown returns an artifact location as clients see it: a local path under
// the artifact root becomes mlflow-artifacts:/<path>, so that clients
// elsewhere read and write through the server, as with mlflow server
// --serve-artifacts. Other locations are shown as the store keeps them.
func (s *Server) shown(loc string) string {
	if s.root == "" || loc == "" {
		return loc
	}
	p := artifact.LocalPath(loc)
	if !filepath.IsAbs(p) {
		return loc
	}
	rel, err := filepath.Rel(s.root, p)
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return loc
	}
	return "mlflow-artifacts:/" + filepath.ToSlash(rel)
}

// repo returns the files behind an artifact location the store keeps. An
// mlflow-artifacts:/ URI, which runs logged through MLflow's own server in
// its default proxy mode have, names a folder under the artifact root.
func (s *Server) repo(ctx context.Context, uri string) (store.ArtifactRepo, error) {
	if artifact.IsProxied(uri) {
		if s.root == "" {
			return nil, invalid("artifact location %s is served through an artifact root, and this server has none", uri)
		}
		local, err := artifact.ProxiedPath(s.root, uri)
		if err != nil {
			return nil, invalid("Invalid path: %v", err)
		}
		return artifact.NewLocal(local), nil
	}
	return s.st.Artifacts(ctx, uri)
}

// stored returns the artifact location to keep for one a client asks for.
// While the server proxies artifacts, a client may only name a place under
// the artifact root, as an mlflow-artifacts:/ URI: a local path of its
// choosing would let it read and write any file the server can, through
// the run's artifact endpoints.
func (s *Server) stored(loc string) (string, error) {
	if s.root == "" || loc == "" {
		return loc, nil
	}
	if !artifact.IsProxied(loc) {
		return "", invalid("artifact_location %q: this server keeps artifacts itself; give an mlflow-artifacts:/ URI or none", loc)
	}
	local, err := artifact.ProxiedPath(s.root, loc)
	if err != nil {
		return "", invalid("Invalid path: %v", err)
	}
	return local, nil
}

// cleanArtifactPath checks a path a request names; a bad one is a 400.
func cleanArtifactPath(p string) (string, error) {
	clean, err := artifact.CleanPath(p)
	if err != nil {
		return "", invalid("Invalid path: %v", err)
	}
	return clean, nil
}

// listing answers an artifact listing: entries named by their path from
// the root, as artifacts/list and the logged-model listing name them.
type listing struct {
	RootURI       string         `json:"root_uri,omitempty"`
	Files         []api.FileInfo `json:"files,omitempty"`
	NextPageToken string         `json:"next_page_token,omitempty"`
}

func (s *Server) list(ctx context.Context, uri, dir string) (any, error) {
	clean, err := cleanArtifactPath(dir)
	if err != nil {
		return nil, err
	}
	repo, err := s.repo(ctx, uri)
	if err != nil {
		return nil, err
	}
	files, err := repo.List(ctx, clean)
	if err != nil {
		return nil, err
	}
	out := listing{RootURI: s.shown(uri)}
	for _, f := range files {
		out.Files = append(out.Files, api.FileInfoOf(f.Path, f))
	}
	return out, nil
}

func (s *Server) listArtifacts(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Path      string `json:"path"`
		PageToken string `json:"page_token"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return nil, runNotFound(id, err)
	}
	return s.list(ctx, run.Info.ArtifactURI, req.Path)
}

// getArtifact serves /get-artifact?run_id=...&path=..., the download the
// MLflow UI uses.
func (s *Server) getArtifact(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
	var req struct {
		runRef
		Path string `json:"path"`
	}
	if err := s.decode(r, &req); err != nil {
		return nil, err
	}
	id, err := req.id()
	if err != nil {
		return nil, err
	}
	if err := need("path", req.Path); err != nil {
		return nil, err
	}
	clean, err := cleanArtifactPath(req.Path)
	if err != nil {
		return nil, err
	}
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return nil, runNotFound(id, err)
	}
	return nil, s.download(ctx, w, r, run.Info.ArtifactURI, clean)
}

// download streams the artifact at p of the repository behind uri.
func (s *Server) download(ctx context.Context, w http.ResponseWriter, r *http.Request, uri, p string) error {
	repo, err := s.repo(ctx, uri)
	if err != nil {
		return err
	}
	f, err := repo.Open(ctx, p)
	if err != nil {
		return err
	}
	defer f.Close()
	send(w, r, p, f)
	return nil
}

// send writes an artifact's bytes with its type and length. Every artifact
// is sandboxed: an HTML or SVG file must never run script in the API's
// origin, where it could act with the user's credentials.
func send(w http.ResponseWriter, r *http.Request, name string, f io.Reader) {
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	if isActive(name) {
		h.Set("Content-Disposition", "attachment; filename="+strconv.Quote(path.Base(name)))
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		var mod time.Time
		if st, ok := f.(interface{ Stat() (os.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil {
				mod = fi.ModTime()
			}
		}
		http.ServeContent(w, r, "", mod, rs)
		return
	}
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}

// isActive reports whether a browser would run script from a file of this
// name shown inline.
func isActive(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xhtml", ".svg", ".svgz", ".xml", ".xht", ".shtml", ".mht", ".mhtml":
		return true
	}
	return false
}

func contentType(name string) string {
	if path.Base(name) == "MLmodel" || path.Base(name) == "MLproject" {
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serveProxy answers /api/2.0/mlflow-artifacts/artifacts[/<p>]: listing
// (GET without a path, ?path=), download (GET), upload (PUT) and delete
// (DELETE) of files under the artifact root.
func (s *Server) serveProxy(w http.ResponseWriter, r *http.Request, p string) {
	if s.root == "" {
		writeError(w, api.NewError(api.CodeEndpointNotFound,
			"artifacts are not served: the server runs without an artifact destination"), http.StatusNotFound)
		return
	}
	local := artifact.NewLocal(s.root)
	var h handler
	switch {
	case p == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			var req struct {
				Path string `json:"path"`
			}
			if err := s.decode(r, &req); err != nil {
				return nil, err
			}
			dir, err := cleanArtifactPath(strings.TrimRight(req.Path, "/"))
			if err != nil {
				return nil, err
			}
			files, err := local.List(ctx, dir)
			if err != nil {
				return nil, err
			}
			var out struct {
				Files []api.FileInfo `json:"files,omitempty"`
			}
			for _, f := range files {
				name := strings.TrimPrefix(strings.TrimPrefix(f.Path, dir), "/")
				out.Files = append(out.Files, api.FileInfoOf(name, f))
			}
			return out, nil
		}
	case p == "":
		h = nil
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			clean, err := cleanArtifactPath(p)
			if err != nil {
				return nil, err
			}
			f, err := local.Open(ctx, clean)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			send(w, r, clean, f)
			return nil, nil
		}
	case r.Method == http.MethodPut:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			clean, err := cleanArtifactPath(p)
			if err != nil {
				return nil, err
			}
			body := http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
			if err := local.Put(ctx, clean, body); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return nil, err
				}
				var pe *artifact.PathError
				if errors.As(err, &pe) {
					return nil, invalid("Invalid path: %v", err)
				}
				return nil, err
			}
			return empty{}, nil
		}
	case r.Method == http.MethodDelete:
		h = func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error) {
			clean, err := cleanArtifactPath(p)
			if err != nil {
				return nil, err
			}
			root, err := os.OpenRoot(s.root)
			if errors.Is(err, fs.ErrNotExist) {
				return empty{}, nil
			}
			if err != nil {
				return nil, err
			}
			defer root.Close()
			if err := root.RemoveAll(clean); err != nil {
				return nil, err
			}
			return empty{}, nil
		}
	}
	if h == nil {
		writeError(w, api.NewError(api.CodeBadRequest, "The method "+r.Method+" is not allowed for "+r.URL.Path), http.StatusMethodNotAllowed)
		return
	}
	s.serve(w, r, map[string]handler{r.Method: h})
}
