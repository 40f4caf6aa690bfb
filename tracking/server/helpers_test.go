package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/grove-ml/grove/tracking/sqlstore"
)

// testServer is a Server over a fresh SQLite store in a temporary folder.
type testServer struct {
	t    testing.TB
	h    http.Handler
	st   *sqlstore.Store
	root string // the artifact root
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerIn(t, t.TempDir())
}

func newTestServerIn(t testing.TB, dir string) *testServer {
	t.Helper()
	root := filepath.Join(dir, "mlruns")
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "mlflow.db"), sqlstore.Options{ArtifactRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &testServer{t: t, h: New(Config{Store: st, ArtifactRoot: root}), st: st, root: root}
}

// do sends a request and returns the recorded answer; body is sent as
// JSON unless it is a []byte or an io.Reader.
func (ts *testServer) do(method, target string, body any) *httptest.ResponseRecorder {
	ts.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/octet-stream"
	case io.Reader:
		rd, ctype = b, "application/octet-stream"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	r := httptest.NewRequest(method, target, rd)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	ts.h.ServeHTTP(w, r)
	return w
}

// ok sends a request that must succeed and decodes its JSON answer.
func (ts *testServer) ok(method, target string, body, out any) {
	ts.t.Helper()
	w := ts.do(method, target, body)
	if w.Code != http.StatusOK {
		ts.t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			ts.t.Fatalf("%s %s: %v: %s", method, target, err, w.Body.String())
		}
	}
}

// fails sends a request that must fail with status and MLflow's code.
func (ts *testServer) fails(method, target string, body any, status int, code string) string {
	ts.t.Helper()
	w := ts.do(method, target, body)
	var e struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
	}
	json.Unmarshal(w.Body.Bytes(), &e)
	if w.Code != status || e.ErrorCode != code {
		ts.t.Errorf("%s %s: got %d %s, want %d %s (%s)", method, target, w.Code, e.ErrorCode, status, code, w.Body.String())
	}
	return e.Message
}

// newRun creates an experiment and a run in it and returns their ids.
func (ts *testServer) newRun(name string) (exp, run string) {
	ts.t.Helper()
	var e struct {
		ExperimentID string `json:"experiment_id"`
	}
	ts.ok("POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": name}, &e)
	var r struct {
		Run struct {
			Info struct {
				RunID string `json:"run_id"`
			} `json:"info"`
		} `json:"run"`
	}
	ts.ok("POST", "/api/2.0/mlflow/runs/create", map[string]any{"experiment_id": e.ExperimentID, "start_time": 1000}, &r)
	return e.ExperimentID, r.Run.Info.RunID
}
