package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/grove-ml/grove/tracking/internal/searchtest"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// TestSearchCasesOverHTTP asks the server every query MLflow answered on
// its search fixture, five runs a page, and compares the runs, in order,
// or the error's code and message with MLflow's.
func TestSearchCasesOverHTTP(t *testing.T) {
	fx := searchtest.Load(t)
	st, err := sqlstore.Open(context.Background(), searchtest.CopyDB(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := &testServer{t: t, h: New(Config{Store: st}), st: st}
	fx.Check(t, func(_ context.Context, q store.RunQuery) ([]*store.Run, error) {
		var all []*store.Run
		req := map[string]any{"experiment_ids": q.ExperimentIDs, "filter": q.Filter, "order_by": q.OrderBy,
			"run_view_type": q.ViewType.String(), "max_results": 5}
		for range 20 {
			w := ts.do("POST", "/api/2.0/mlflow/runs/search", req)
			var out struct {
				Runs []struct {
					Info struct {
						RunID string `json:"run_id"`
					} `json:"info"`
				} `json:"runs"`
				NextPageToken string `json:"next_page_token"`
				ErrorCode     string `json:"error_code"`
				Message       string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("status %d, body %q: %v", w.Code, w.Body.String(), err)
			}
			if w.Code != 200 {
				return all, store.Errorf(out.ErrorCode, "%s", out.Message)
			}
			for _, r := range out.Runs {
				all = append(all, &store.Run{Info: store.RunInfo{RunID: r.Info.RunID}})
			}
			if out.NextPageToken == "" {
				return all, nil
			}
			req["page_token"] = out.NextPageToken
		}
		t.Fatalf("filter %q: more than 20 pages of 5 runs", q.Filter)
		return nil, nil
	})
}
