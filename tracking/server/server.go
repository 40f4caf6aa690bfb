package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// Config says what a Server serves.
type Config struct {
	// Store holds the experiments, runs and models. A store that also
	// implements store.Manager gets the delete, restore, rename and search
	// endpoints; without it they answer NOT_IMPLEMENTED.
	Store store.Store
	// ArtifactRoot is the local folder behind mlflow-artifacts:/ URIs and
	// the /api/2.0/mlflow-artifacts/ endpoints, as mlflow server's
	// --artifacts-destination. Artifact locations the store keeps under it
	// are shown to clients as mlflow-artifacts:/<path>, so that remote
	// clients upload through the server. Empty: the server does not proxy
	// artifacts and shows locations as the store keeps them.
	ArtifactRoot string
	// MaxRequestBytes bounds a JSON request body; 0 means 64 MiB.
	MaxRequestBytes int64
	// MaxUploadBytes bounds one artifact upload; 0 means 16 GiB.
	MaxUploadBytes int64
	// Version is what /version answers; empty means MLflowVersion.
	Version string
	// ErrorLog, when set, receives a line for every request that fails
	// with a server error (500 and above), which the client sees only as
	// INTERNAL_ERROR.
	ErrorLog *log.Logger
}

// MLflowVersion is the MLflow release whose REST API the server speaks.
const MLflowVersion = "3.11.2"

// Server is MLflow's tracking REST API over a store.Store.
type Server struct {
	cfg    Config
	st     store.Store
	mgr    store.Manager // nil when the store lacks the operations
	root   string        // absolute ArtifactRoot, or ""
	routes map[string]map[string]handler
}

// handler answers one request: the value is written as JSON with status
// 200, an error as MLflow's error body.
type handler func(ctx context.Context, w http.ResponseWriter, r *http.Request) (any, error)

// New returns the API for cfg.Store. It panics when cfg.Store is nil.
func New(cfg Config) *Server {
	if cfg.Store == nil {
		panic("server: nil store")
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = 64 << 20
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 16 << 30
	}
	if cfg.Version == "" {
		cfg.Version = MLflowVersion
	}
	s := &Server{cfg: cfg, st: cfg.Store}
	s.mgr, _ = cfg.Store.(store.Manager)
	if cfg.ArtifactRoot != "" {
		if abs, err := filepath.Abs(cfg.ArtifactRoot); err == nil {
			s.root = abs
		} else {
			s.root = cfg.ArtifactRoot
		}
	}
	s.register()
	return s
}

// API prefixes: MLflow registers every route under both.
const (
	apiPrefix     = "/api/2.0/mlflow/"
	ajaxPrefix    = "/ajax-api/2.0/mlflow/"
	proxyPath     = "/api/2.0/mlflow-artifacts/artifacts"
	ajaxProxyPath = "/ajax-api/2.0/mlflow-artifacts/artifacts"
)

func (s *Server) register() {
	s.routes = map[string]map[string]handler{}
	add := func(method, path string, h handler) {
		if s.routes[path] == nil {
			s.routes[path] = map[string]handler{}
		}
		s.routes[path][method] = h
	}
	for _, r := range s.table() {
		for _, m := range strings.Split(r.methods, ",") {
			add(m, r.path, r.h)
		}
	}
}

type route struct {
	methods string
	path    string // under the API prefix
	h       handler
}

func (s *Server) table() []route {
	return []route{
		{"POST", "experiments/create", s.createExperiment},
		{"GET", "experiments/get", s.getExperiment},
		{"GET", "experiments/get-by-name", s.getExperimentByName},
		{"GET,POST", "experiments/search", s.searchExperiments},
		{"POST", "experiments/set-experiment-tag", s.setExperimentTag},
		{"POST", "experiments/delete-experiment-tag", s.deleteExperimentTag},
		{"POST", "experiments/delete", s.deleteExperiment},
		{"POST", "experiments/restore", s.restoreExperiment},
		{"POST", "experiments/update", s.updateExperiment},

		{"POST", "runs/create", s.createRun},
		{"GET", "runs/get", s.getRun},
		{"POST", "runs/update", s.updateRun},
		{"POST", "runs/delete", s.deleteRun},
		{"POST", "runs/restore", s.restoreRun},
		{"POST", "runs/log-batch", s.logBatch},
		{"POST", "runs/log-metric", s.logMetric},
		{"POST", "runs/log-parameter", s.logParam},
		{"POST", "runs/set-tag", s.setTag},
		{"POST", "runs/delete-tag", s.deleteTag},
		{"POST", "runs/log-inputs", s.logInputs},
		{"POST", "runs/outputs", s.logOutputs},
		{"POST", "runs/search", s.searchRuns},

		{"GET", "metrics/get-history", s.metricHistory},
		{"GET", "metrics/get-history-bulk-interval", s.metricHistoryBulkInterval},
		{"GET", "metrics/get-history-bulk", s.metricHistoryBulk},

		{"GET", "artifacts/list", s.listArtifacts},

		{"POST", "logged-models", s.createLoggedModel},
		{"POST", "logged-models/search", s.searchLoggedModels},

		{"GET,POST", "registered-models/search", emptyRegistry},
		{"GET", "model-versions/search", emptyRegistry},
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	p := r.URL.Path
	switch {
	case p == "/health":
		writeText(w, r, "OK")
		return
	case p == "/version":
		writeText(w, r, s.cfg.Version)
		return
	case p == "/get-artifact":
		s.serve(w, r, map[string]handler{"GET": s.getArtifact})
		return
	}
	for _, prefix := range [...]string{proxyPath, ajaxProxyPath} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			s.serveProxy(w, r, strings.TrimPrefix(strings.TrimPrefix(p, prefix), "/"))
			return
		}
	}
	var rest string
	var ok bool
	if rest, ok = strings.CutPrefix(p, apiPrefix); !ok {
		rest, ok = strings.CutPrefix(p, ajaxPrefix)
	}
	if !ok {
		if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/ajax-api/") {
			s.notFound(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	if methods, ok := s.routes[rest]; ok {
		s.serve(w, r, methods)
		return
	}
	if id, sub, ok := loggedModelPath(rest); ok {
		s.serveLoggedModel(w, r, id, sub)
		return
	}
	s.notFound(w, r)
}

// serve runs the handler for r's method.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, methods map[string]handler) {
	h := methods[r.Method]
	if h == nil && r.Method == http.MethodHead {
		h = methods[http.MethodGet]
	}
	if h == nil {
		writeError(w, api.NewError(api.CodeBadRequest, fmt.Sprintf("The method %s is not allowed for %s", r.Method, r.URL.Path)), http.StatusMethodNotAllowed)
		return
	}
	out, err := h(r.Context(), w, r)
	if err != nil {
		if status := s.fail(w, err); status >= 500 && s.cfg.ErrorLog != nil {
			s.cfg.ErrorLog.Printf("%s %s: %d: %v", r.Method, r.URL.Path, status, err)
		}
		return
	}
	switch out := out.(type) {
	case nil:
		// The handler wrote the answer.
	case rawJSON:
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, api.NewError(api.CodeEndpointNotFound,
		fmt.Sprintf("No API endpoint %s %s: see MLflow's REST API documentation", r.Method, r.URL.Path)), http.StatusNotFound)
}

// fail writes err as MLflow's error body and returns the status sent.
func (s *Server) fail(w http.ResponseWriter, err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(w, api.NewError(store.CodeInvalidParameter, fmt.Sprintf("The request body is larger than %d bytes", mbe.Limit)), http.StatusRequestEntityTooLarge)
		return http.StatusRequestEntityTooLarge
	}
	body, status := api.ErrorOf(err)
	writeError(w, body, status)
	return status
}

func writeError(w http.ResponseWriter, body api.Error, status int) {
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(api.NewError(store.CodeInternal, "server: encoding the answer: "+err.Error()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func writeText(w http.ResponseWriter, r *http.Request, s string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, s)
}

// rawJSON is an answer a handler encoded itself.
type rawJSON []byte

// empty is the answer of a request that returns nothing: {}.
type empty struct{}

// invalid returns MLflow's INVALID_PARAMETER_VALUE error.
func invalid(format string, args ...any) error {
	return store.Errorf(store.CodeInvalidParameter, format, args...)
}

// missing is MLflow's error for a required field left out.
func missing(field string) error {
	return invalid("Missing value for required parameter '%s'. See the API docs for more information about request parameters.", field)
}

// decode reads the request's parameters into dst, a pointer to a struct
// with json tags: the JSON body of a POST, PATCH or DELETE, the query of a
// GET (a field that is a slice takes every value of its parameter). Type
// mismatches are MLflow's INVALID_PARAMETER_VALUE.
func (s *Server) decode(r *http.Request, dst any) error {
	var body []byte
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		b, err := queryJSON(r.URL.Query(), dst)
		if err != nil {
			return err
		}
		body = b
	} else {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, _ := mime.ParseMediaType(ct)
			if mt != "application/json" {
				return invalid("Bad Request. Content-Type must be one of ['application/json'], got %q", ct)
			}
		}
		b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxRequestBytes))
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) > 0 && r.Header.Get("Content-Type") == "" {
			// A body without a type would be a form a browser can send
			// across origins without asking; MLflow wants JSON.
			return invalid("Bad Request. Content-Type must be one of ['application/json']")
		}
		body = b
		// Older clients double-encode the body as a JSON string.
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '"' {
			var inner string
			if json.Unmarshal(t, &inner) == nil {
				body = []byte(inner)
			}
		}
	}
	if len(bytes.TrimSpace(body)) == 0 || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid("Invalid value for parameter '%s' supplied: expected %s, got a JSON %s. See the API docs for more information about request parameters.", te.Field, te.Type, te.Value)
		}
		return invalid("Malformed request body: %v", err)
	}
	return nil
}

// queryJSON turns query parameters into the JSON object dst would decode:
// a parameter is a list when dst's field for it is a slice, else its first
// value.
func queryJSON(q url.Values, dst any) ([]byte, error) {
	lists := map[string]bool{}
	t := reflect.TypeOf(dst).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() == reflect.Slice {
			lists[name] = true
		}
	}
	m := map[string]any{}
	for k, vs := range q {
		if len(vs) == 0 {
			continue
		}
		if lists[k] {
			m[k] = vs
		} else {
			m[k] = vs[0]
		}
	}
	return json.Marshal(m)
}

// need checks that a required string field is present and not empty.
func need(field, value string) error {
	if value == "" {
		return missing(field)
	}
	return nil
}

// manager returns the store's store.Manager, or MLflow's NOT_IMPLEMENTED.
func (s *Server) manager(what string) (store.Manager, error) {
	if s.mgr == nil {
		return nil, store.Errorf(api.CodeNotImplemented, "%s is not supported by this server's store", what)
	}
	return s.mgr, nil
}

// emptyRegistry answers a registry search as a server without registered
// models does: an empty page, which MLflow writes as {} since empty lists
// are left out.
func emptyRegistry(context.Context, http.ResponseWriter, *http.Request) (any, error) {
	return empty{}, nil
}
