package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// TestSearchRunsSendsQuery: the filter, order and view type of a query
// reach the server, which parses and answers them; a query without them
// asks for what MLflow's client asks by default.
func TestSearchRunsSendsQuery(t *testing.T) {
	tests := []struct {
		name string
		q    store.RunQuery
		want map[string]any
	}{
		{"plain", store.RunQuery{ExperimentIDs: []string{"1"}}, map[string]any{
			"experiment_ids": []any{"1"}, "max_results": 1000.0, "order_by": []any{"attributes.start_time DESC"},
		}},
		{"filtered", store.RunQuery{ExperimentIDs: []string{"1", "2"}, Filter: "metrics.acc > 0.9", OrderBy: []string{"metrics.acc DESC"}, ViewType: store.ViewAll, MaxResults: 5, PageToken: "tok"}, map[string]any{
			"experiment_ids": []any{"1", "2"}, "filter": "metrics.acc > 0.9", "order_by": []any{"metrics.acc DESC"},
			"run_view_type": "ALL", "max_results": 5.0, "page_token": "tok",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					t.Error(err)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"runs": []}`))
			}))
			defer srv.Close()
			s, err := New(srv.URL, Options{})
			must(t, err)
			if _, _, err := s.SearchRuns(context.Background(), tt.q); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("request %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestSearchExperimentsSendsQuery: the filter, order, view type and page of
// an experiment query reach the server with MLflow's field names.
func TestSearchExperimentsSendsQuery(t *testing.T) {
	tests := []struct {
		name string
		q    store.ExperimentQuery
		want map[string]any
	}{
		{"plain", store.ExperimentQuery{}, map[string]any{"max_results": 1000.0}},
		{"everything", store.ExperimentQuery{Filter: "name LIKE 'a%'", OrderBy: []string{"name ASC"}, ViewType: store.ViewDeletedOnly, MaxResults: 2, PageToken: "tok"}, map[string]any{
			"filter": "name LIKE 'a%'", "order_by": []any{"name ASC"}, "view_type": "DELETED_ONLY", "max_results": 2.0, "page_token": "tok",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != epExperimentSearch {
					t.Errorf("path %s", r.URL.Path)
				}
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					t.Error(err)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"experiments": [{"experiment_id": "7", "name": "a"}], "next_page_token": "n"}`))
			}))
			defer srv.Close()
			s, err := New(srv.URL, Options{})
			must(t, err)
			exps, next, err := s.SearchExperiments(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(exps) != 1 || exps[0].ID != "7" || next != "n" {
				t.Errorf("answer read as %v, next %q", exps, next)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("request %v\nwant %v", got, tt.want)
			}
		})
	}
}
