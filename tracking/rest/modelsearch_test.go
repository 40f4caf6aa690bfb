package rest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// TestSearchLoggedModelsSendsFilterAndOrder checks that a logged-model
// search sends its filter and order as MLflow's REST API spells them.
func TestSearchLoggedModelsSendsFilterAndOrder(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	s, err := New(srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SearchLoggedModels(context.Background(), store.LoggedModelQuery{ExperimentIDs: []string{"1"}, Filter: "name = 'tree'",
		OrderBy: []store.LoggedModelOrder{{Field: "metrics.acc"}, {Field: "name", Ascending: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var req map[string]any
	if err := json.Unmarshal([]byte(got), &req); err != nil {
		t.Fatalf("request %q: %v", got, err)
	}
	want := `{"experiment_ids":["1"],"filter":"name = 'tree'","order_by":[{"ascending":false,"field_name":"metrics.acc"},{"ascending":true,"field_name":"name"}]}`
	if b, _ := json.Marshal(req); string(b) != want {
		t.Errorf("sent %s, want %s", b, want)
	}
}
