package server

import (
	"strings"
	"testing"
)

func TestLoggedModelEndpoints(t *testing.T) {
	ts := newTestServer(t)
	exp, run := ts.newRun("models")
	var created struct {
		Model struct {
			Info struct {
				ModelID     string `json:"model_id"`
				ArtifactURI string `json:"artifact_uri"`
				Status      string `json:"status"`
			} `json:"info"`
		} `json:"model"`
	}
	ts.ok("POST", "/api/2.0/mlflow/logged-models", map[string]any{"experiment_id": exp, "name": "forest", "source_run_id": run}, &created)
	id := created.Model.Info.ModelID
	if created.Model.Info.Status != "LOGGED_MODEL_PENDING" || !strings.HasPrefix(created.Model.Info.ArtifactURI, "mlflow-artifacts:/"+exp+"/models/"+id) {
		t.Fatalf("created: %+v", created.Model.Info)
	}
	m := "/api/2.0/mlflow/logged-models/" + id
	ts.ok("POST", m+"/params", map[string]any{"params": []map[string]string{{"key": "depth", "value": "3"}}}, nil)
	ts.ok("PATCH", m+"/tags", map[string]any{"tags": []map[string]string{{"key": "a", "value": "1"}, {"key": "b", "value": "2"}}}, nil)
	ts.ok("DELETE", m+"/tags/b", nil, nil)
	ts.fails("DELETE", m+"/tags/b", nil, 404, "RESOURCE_DOES_NOT_EXIST")
	ts.ok("PUT", "/api/2.0/mlflow-artifacts/artifacts/"+exp+"/models/"+id+"/artifacts/MLmodel", []byte("flavors: {}\n"), nil)
	ts.ok("PATCH", m, map[string]any{"model_id": id, "status": "LOGGED_MODEL_READY"}, &created)
	if created.Model.Info.Status != "LOGGED_MODEL_READY" {
		t.Errorf("finalized as %s", created.Model.Info.Status)
	}
	ts.fails("PATCH", m, map[string]any{"status": "DONE"}, 400, "INVALID_PARAMETER_VALUE")

	var got struct {
		Model struct {
			Info struct {
				Tags []struct{ Key, Value string } `json:"tags"`
			} `json:"info"`
			Data struct {
				Params []struct{ Key, Value string } `json:"params"`
			} `json:"data"`
		} `json:"model"`
	}
	ts.ok("GET", m, nil, &got)
	if len(got.Model.Data.Params) != 1 || len(got.Model.Info.Tags) != 1 || got.Model.Info.Tags[0].Key != "a" {
		t.Errorf("model: %+v", got.Model)
	}
	var dir struct {
		Files []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	ts.ok("GET", m+"/artifacts/directories", nil, &dir)
	if len(dir.Files) != 1 || dir.Files[0].Path != "MLmodel" {
		t.Errorf("model files: %+v", dir.Files)
	}
	w := ts.do("GET", "/ajax-api/2.0/mlflow/logged-models/"+id+"/artifacts/files?artifact_file_path=MLmodel", nil)
	if w.Code != 200 || w.Body.String() != "flavors: {}\n" {
		t.Errorf("model file: %d %q", w.Code, w.Body.String())
	}
	ts.fails("GET", m+"/artifacts/files?artifact_file_path=../../x", nil, 400, "INVALID_PARAMETER_VALUE")
	var search struct {
		Models []struct {
			Info struct {
				ModelID string `json:"model_id"`
			} `json:"info"`
		} `json:"models"`
	}
	ts.ok("POST", "/api/2.0/mlflow/logged-models/search", map[string]any{"experiment_ids": []string{exp}}, &search)
	if len(search.Models) != 1 || search.Models[0].Info.ModelID != id {
		t.Errorf("search: %+v", search.Models)
	}
}
