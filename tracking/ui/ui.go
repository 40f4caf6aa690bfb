package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/store"
)

// Options says how the UI serves a store. The zero value serves 100 runs a
// page and up to 2,500 points a history chart.
type Options struct {
	// PageSize is how many runs one page of the runs table holds; 0: 100.
	PageSize int
	// MaxPoints is how many points of one metric history a chart draws, the
	// most MLflow's get-history-bulk-interval returns; 0: 2,500.
	MaxPoints int
	// ArtifactRoot is the folder behind mlflow-artifacts: locations, the
	// artifact root of the tracking server beside the UI (server.Config's
	// ArtifactRoot); empty: such runs' artifacts cannot be shown.
	ArtifactRoot string
	// Logger receives failures of the store that a page could not show; nil:
	// the standard logger.
	Logger *log.Logger
}

const (
	defaultPageSize  = 100
	defaultMaxPoints = 2500
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// csp allows the UI's own scripts, styles and images and nothing else: no
// inline script, no other origin. Artifacts are framed from the same origin,
// but every artifact response carries its own sandboxing policy.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// handler serves the pages of one store.
type handler struct {
	st   store.Store
	api  http.Handler // MLflow's API over st, which the edits go through
	opts Options
	tmpl map[string]*template.Template
	mux  *http.ServeMux
	exps *experimentCache
}

// New returns the web UI over st: the experiments list at "/", an
// experiment's runs at /experiments/{id}, a run at /runs/{id}, and the
// compare page at /compare. It reads st only; it is safe for concurrent use.
func New(st store.Store, opts Options) http.Handler {
	if opts.PageSize <= 0 {
		opts.PageSize = defaultPageSize
	}
	if opts.MaxPoints < 3 {
		opts.MaxPoints = defaultMaxPoints
	}
	if opts.ArtifactRoot != "" {
		if abs, err := filepath.Abs(opts.ArtifactRoot); err == nil {
			opts.ArtifactRoot = abs
		}
	}
	if opts.Logger == nil {
		opts.Logger = log.Default()
	}
	h := &handler{st: st, opts: opts, tmpl: parseTemplates(), mux: http.NewServeMux(),
		api: server.New(server.Config{Store: st, ArtifactRoot: opts.ArtifactRoot, ErrorLog: opts.Logger})}
	h.exps = newExperimentCache(st)
	h.mux.HandleFunc("GET /{$}", h.home)
	h.mux.HandleFunc("GET /experiments/{id}", h.runs)
	h.mux.HandleFunc("GET /experiments/{id}/chart", h.chart)
	h.mux.HandleFunc("GET /runs/{id}", h.run)
	h.mux.HandleFunc("GET /runs/{id}/metrics", h.runMetrics)
	h.mux.HandleFunc("GET /runs/{id}/artifacts", h.artifacts)
	h.mux.HandleFunc("GET /runs/{id}/artifact", h.artifactFile)
	h.mux.HandleFunc("GET /models/{id}/artifact", h.modelFile)
	h.mux.HandleFunc("GET /history", h.history)
	h.mux.HandleFunc("GET /compare", h.compare)
	h.mux.HandleFunc("GET /static/{name}", h.static)
	h.mux.HandleFunc("POST /runs/{id}/rename", h.renameRun)
	h.mux.HandleFunc("POST /runs/{id}/tags", h.setRunTag)
	h.mux.HandleFunc("POST /runs/{id}/tags/delete", h.deleteRunTag)
	h.mux.HandleFunc("POST /runs/{id}/delete", h.deleteRun)
	h.mux.HandleFunc("POST /runs/{id}/restore", h.restoreRun)
	h.mux.HandleFunc("POST /experiments/{id}/rename", h.renameExperiment)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	h.mux.ServeHTTP(w, r)
}

// parseTemplates reads every page template with the layout they share.
func parseTemplates() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, p))
	}
	return out
}

// base is what every page shows around its own content.
type base struct {
	Title       string
	Experiments []expRow // the list beside every page
	Current     string   // the experiment shown, highlighted in the list
	ExpError    string   // why the list could not be read
	CanManage   bool     // the store deletes, restores and renames (store.Manager)
}

// render writes page name with data, under the UI's security headers.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := h.tmpl[name]
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.opts.Logger.Printf("ui: page %s: %v", name, err)
		http.Error(w, "ui: the page could not be drawn", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", csp)
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// base fills in the experiments list, with current highlighted.
func (h *handler) base(ctx context.Context, title, current string) base {
	b := base{Title: title, Current: current, CanManage: h.canManage()}
	rows, err := h.exps.list(ctx)
	if err != nil {
		b.ExpError = err.Error()
	}
	b.Experiments = rows
	return b
}

// errorPage is a page that only says what went wrong.
type errorPage struct {
	base
	Message string
}

// fail shows err with the HTTP status MLflow's API gives its code (a
// not-found 404, a bad value 400, a store without an operation 501), and
// anything else as 500 with the message logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if se := (*store.Error)(nil); errors.As(err, &se) {
		status = api.HTTPStatus(se.Code)
	}
	if status == http.StatusInternalServerError {
		h.opts.Logger.Printf("ui: %s: %v", r.URL.Path, err)
	}
	h.render(w, r, status, "error", errorPage{base: h.base(r.Context(), "Error", ""), Message: err.Error()})
}

// staticFile is an embedded script or style, with the version its URL
// carries so that a browser may keep it until grove changes it.
type staticFile struct {
	body    []byte
	version string
}

// statics are the files under /static/: the UI's own and the report's
// ECharts, read once.
var statics = func() map[string]staticFile {
	files := map[string][]byte{"echarts.min.js": []byte(report.ECharts())}
	entries, err := staticFS.ReadDir("static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		files[e.Name()] = b
	}
	out := map[string]staticFile{}
	for name, b := range files {
		sum := sha256.Sum256(b)
		out[name] = staticFile{body: b, version: hex.EncodeToString(sum[:6])}
	}
	return out
}()

// staticURL is the versioned URL of a static file, for the templates.
func staticURL(name string) string {
	f, ok := statics[name]
	if !ok {
		panic("ui: no static file " + name)
	}
	return "/static/" + name + "?v=" + f.version
}

// static serves the embedded scripts and styles, and the report's ECharts.
// A request for the current version may be cached for good; any other is
// checked again each time.
func (h *handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f, ok := statics[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	if r.URL.Query().Get("v") == f.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+f.version+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}
