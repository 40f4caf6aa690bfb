package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/store"
)

// treeNode is a file or folder of the artifacts tree.
type treeNode struct {
	Name, Path string
	IsDir      bool
	Size       int64
	URL        string // the artifacts tab showing this file
	FileURL    string // the file itself, for download
	Selected   bool
	Open       bool // a folder shown open: it holds the selected file, or the tree is small
	Children   []treeNode
}

// preview is the pane beside the tree: one file shown as what it is.
type preview struct {
	Path, Kind string // Kind: "image", "html", "text", "none"
	FileURL    string // inline
	Download   string
	Text       string
	Cut        bool // Text is the start of a longer file
	Size       int64
}

// Limits of the artifacts tab: how many entries the tree lists, and how much
// of a text file the preview shows.
const (
	treeMax    = 2000
	previewMax = 512 << 10
)

func artifactsURL(runID, p string) string {
	u := "/runs/" + url.PathEscape(runID) + "/artifacts"
	if p != "" {
		u += "?path=" + url.QueryEscape(p)
	}
	return u
}

func fileURL(runID, p string, download bool) string {
	u := "/runs/" + url.PathEscape(runID) + "/artifact?path=" + url.QueryEscape(p)
	if download {
		u += "&download=1"
	}
	return u
}

// repo returns the files behind an artifact location the store keeps. An
// mlflow-artifacts: location, which runs logged through MLflow's own server
// in proxy mode have, names a folder under Options.ArtifactRoot, resolved as
// tracking/server resolves it.
func (h *handler) repo(ctx context.Context, uri string) (store.ArtifactRepo, error) {
	if !artifact.IsProxied(uri) {
		return h.st.Artifacts(ctx, uri)
	}
	if h.opts.ArtifactRoot == "" {
		return nil, store.Errorf(store.CodeInvalidParameter, "ui: artifact location %s is kept by a tracking server's artifact proxy, and the UI was given no artifact root", uri)
	}
	local, err := artifact.ProxiedPath(h.opts.ArtifactRoot, uri)
	if err != nil {
		return nil, store.Errorf(store.CodeInvalidParameter, "ui: %v", err)
	}
	return artifact.NewLocal(local), nil
}

// artifacts shows the run's artifact tree and, beside it, the file the path
// query names.
func (h *handler) artifacts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := h.runTab(ctx, r, "artifacts")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sel, err := artifact.CleanPath(r.URL.Query().Get("path"))
	if err != nil {
		h.fail(w, r, store.Errorf(store.CodeInvalidParameter, "%v", err))
		return
	}
	repo, err := h.repo(ctx, p.Run.Info.ArtifactURI)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n := 0
	p.Tree, err = h.tree(ctx, repo, p.Run.Info.RunID, "", sel, &n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	openFolders(p.Tree, sel, n <= smallTree)
	if sel != "" {
		if f, ok := find(p.Tree, sel); ok && !f.IsDir {
			p.Preview = h.preview(ctx, repo, p.Run.Info.RunID, f)
		}
	}
	h.render(w, r, http.StatusOK, "run", p)
}

// tree lists dir and, depth first, every folder under it, up to treeMax
// entries in all.
func (h *handler) tree(ctx context.Context, repo store.ArtifactRepo, runID, dir, sel string, n *int) ([]treeNode, error) {
	files, err := repo.List(ctx, dir)
	if err != nil {
		if dir != "" || !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		return nil, nil // no artifacts yet
	}
	var out []treeNode
	for _, f := range files {
		if *n >= treeMax {
			break
		}
		*n++
		node := treeNode{Name: path.Base(f.Path), Path: f.Path, IsDir: f.IsDir, Size: f.Size,
			URL: artifactsURL(runID, f.Path), Selected: f.Path == sel}
		if f.IsDir {
			node.Children, err = h.tree(ctx, repo, runID, f.Path, sel, n)
			if err != nil {
				return nil, err
			}
			for _, c := range node.Children {
				node.Size += c.Size
			}
		} else {
			node.FileURL = fileURL(runID, f.Path, true)
		}
		out = append(out, node)
	}
	return out, nil
}

// smallTree is the most entries a tree may hold to be shown with every
// folder open; a larger one opens only the folders of the selected file.
const smallTree = 60

func openFolders(nodes []treeNode, sel string, all bool) {
	for i := range nodes {
		if n := &nodes[i]; n.IsDir {
			n.Open = all || strings.HasPrefix(sel, n.Path+"/")
			openFolders(n.Children, sel, all)
		}
	}
}

func find(nodes []treeNode, p string) (treeNode, bool) {
	for _, n := range nodes {
		if n.Path == p {
			return n, true
		}
		if n.IsDir && strings.HasPrefix(p, n.Path+"/") {
			return find(n.Children, p)
		}
	}
	return treeNode{}, false
}

// kindOf says how the preview shows a file, by its name.
func kindOf(name string) string {
	base := path.Base(name)
	switch strings.ToLower(path.Ext(base)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp":
		return "image"
	case ".html", ".htm":
		return "html"
	case ".txt", ".log", ".json", ".yaml", ".yml", ".md", ".csv", ".tsv", ".py", ".go", ".r", ".sh",
		".toml", ".cfg", ".ini", ".xml", ".js", ".css", ".sql", ".ipynb", ".mod", ".sum", "":
		return "text"
	}
	switch base {
	case "MLmodel", "Dockerfile", "LICENSE", "requirements.txt":
		return "text"
	}
	return "none"
}

// preview reads what the pane shows of file f.
func (h *handler) preview(ctx context.Context, repo store.ArtifactRepo, runID string, f treeNode) *preview {
	p := &preview{Path: f.Path, Kind: kindOf(f.Path), FileURL: fileURL(runID, f.Path, false),
		Download: fileURL(runID, f.Path, true), Size: f.Size}
	if p.Kind != "text" {
		return p
	}
	rc, err := repo.Open(ctx, f.Path)
	if err != nil {
		p.Kind, p.Text = "none", err.Error()
		return p
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, previewMax+1))
	if len(b) > previewMax {
		b, p.Cut = b[:previewMax], true
	}
	if !utf8.Valid(b) && !p.Cut || bytes.IndexByte(b, 0) >= 0 {
		p.Kind = "none" // binary: download only
		return p
	}
	if strings.HasSuffix(strings.ToLower(f.Path), ".json") && !p.Cut {
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") == nil {
			b = out.Bytes()
		}
	}
	p.Text = string(b)
	return p
}

// Policies of artifact responses. An HTML artifact runs its own script, but
// in an opaque origin (it cannot read the UI or the API) and with nothing
// from the network; anything else may run no script at all, even opened
// directly.
const (
	htmlArtifactCSP  = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
	otherArtifactCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
)

// artifactFile serves one artifact of a run for the preview, or as an
// attachment with download=1.
func (h *handler) artifactFile(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, func(ctx context.Context) (string, error) {
		run, err := h.st.GetRun(ctx, r.PathValue("id"))
		if err != nil {
			return "", err
		}
		return run.Info.ArtifactURI, nil
	})
}

// modelFile serves one file of a logged model, as artifactFile serves a
// run's.
func (h *handler) modelFile(w http.ResponseWriter, r *http.Request) {
	h.serveFile(w, r, func(ctx context.Context) (string, error) {
		lm, err := h.st.GetLoggedModel(ctx, r.PathValue("id"))
		if err != nil {
			return "", err
		}
		return lm.ArtifactLocation, nil
	})
}

// serveFile serves the file the path query names under the artifact root
// that root returns.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, root func(context.Context) (string, error)) {
	ctx := r.Context()
	p, err := artifact.CleanPath(r.URL.Query().Get("path"))
	if err != nil || p == "" {
		http.Error(w, "ui: bad artifact path", http.StatusBadRequest)
		return
	}
	uri, err := root(ctx)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrNotFound) {
			status = http.StatusNotFound
		}
		http.Error(w, "ui: "+err.Error(), status)
		return
	}
	repo, err := h.repo(ctx, uri)
	if err != nil {
		http.Error(w, "ui: "+err.Error(), http.StatusInternalServerError)
		return
	}
	rc, err := repo.Open(ctx, p)
	if err != nil {
		http.Error(w, "ui: no artifact "+p, http.StatusNotFound)
		return
	}
	defer rc.Close()
	hd := w.Header()
	kind := kindOf(p)
	ctype := mime.TypeByExtension(path.Ext(p))
	switch {
	case kind == "text" && !strings.HasSuffix(p, ".svg"):
		ctype = "text/plain; charset=utf-8"
	case ctype == "":
		ctype = "application/octet-stream"
	}
	hd.Set("Content-Type", ctype)
	if kind == "html" && r.URL.Query().Get("download") == "" {
		hd.Set("Content-Security-Policy", htmlArtifactCSP)
	} else {
		hd.Set("Content-Security-Policy", otherArtifactCSP)
	}
	if r.URL.Query().Get("download") != "" {
		hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(p)}))
	}
	hd.Set("Cache-Control", "no-cache")
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs)
		return
	}
	_, _ = io.Copy(w, rc)
}
