package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzServe sends arbitrary requests: the server never panics, answers API
// paths with JSON, and never writes outside its artifact root.
func FuzzServe(f *testing.F) {
	for _, seed := range []struct{ method, target, body string }{
		{"POST", "/api/2.0/mlflow/experiments/create", `{"name":"x","tags":[{"key":"a","value":"b"}]}`},
		{"POST", "/api/2.0/mlflow/runs/log-batch", `{"run_id":"r","metrics":[{"key":"a","value":"NaN","timestamp":"1"}]}`},
		{"GET", "/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&run_ids=b&metric_key=m&start_step=1&end_step=0", ""},
		{"PUT", "/api/2.0/mlflow-artifacts/artifacts/a/b.txt", "hello"},
		{"DELETE", "/api/2.0/mlflow-artifacts/artifacts/a", ""},
		{"PATCH", "/api/2.0/mlflow/logged-models/m-1/tags", `{"tags":[{"key":"k"}]}`},
		{"GET", "/get-artifact?run_uuid=x&path=a/../b", ""},
		{"POST", "/ajax-api/2.0/mlflow/runs/search", `"{\"experiment_ids\":[\"0\"]}"`},
	} {
		f.Add(seed.method, seed.target, seed.body)
	}
	dir := f.TempDir()
	ts := newTestServerIn(f, dir)
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			return
		}
		r, err := http.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		ts.h.ServeHTTP(w, r)
		isAPI := strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/ajax-api/")
		if isAPI && w.Header().Get("Content-Type") == "application/json" && !json.Valid(w.Body.Bytes()) {
			t.Errorf("%s %s answered %d with invalid JSON %q", method, target, w.Code, w.Body.String())
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if n := e.Name(); n != "mlruns" && !strings.HasPrefix(n, "mlflow.db") {
				t.Fatalf("%s %s wrote %s outside the artifact root", method, target, filepath.Join(dir, n))
			}
		}
	})
}
