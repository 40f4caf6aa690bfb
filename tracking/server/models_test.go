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

// TestSearchLoggedModelsFilterAndOrder checks that the server passes a
// logged-model search's filter and order to the store, ascending unless
// told otherwise, and refuses what MLflow refuses.
func TestSearchLoggedModelsFilterAndOrder(t *testing.T) {
	ts := newTestServer(t)
	exp, run := ts.newRun("models")
	for _, name := range []string{"b", "a", "c"} {
		ts.ok("POST", "/api/2.0/mlflow/logged-models", map[string]any{"experiment_id": exp, "name": name, "source_run_id": run}, nil)
	}
	tests := []struct {
		name string
		body map[string]any
		want string
	}{
		{"filter", map[string]any{"filter": "name != 'a'", "order_by": []map[string]any{{"field_name": "name"}}}, "b c"},
		{"descending", map[string]any{"order_by": []map[string]any{{"field_name": "name", "ascending": false}}}, "c b a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["experiment_ids"] = []string{exp}
			var out struct {
				Models []struct {
					Info struct{ Name string } `json:"info"`
				} `json:"models"`
			}
			ts.ok("POST", "/api/2.0/mlflow/logged-models/search", tt.body, &out)
			var names []string
			for _, m := range out.Models {
				names = append(names, m.Info.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("names %q, want %q", got, tt.want)
			}
		})
	}
	for _, body := range []map[string]any{
		{"filter": "size = 'a'"},
		{"order_by": []map[string]any{{"ascending": true}}},
		{"order_by": []map[string]any{{"field_name": "params.depth"}}},
	} {
		body["experiment_ids"] = []string{exp}
		ts.fails("POST", "/api/2.0/mlflow/logged-models/search", body, 400, "INVALID_PARAMETER_VALUE")
	}
}
