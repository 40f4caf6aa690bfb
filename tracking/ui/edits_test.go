package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

func TestEdits(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "mlflow.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	expID, err := st.CreateExperiment(ctx, "before", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: "old-name", Tags: []store.Tag{{Key: "team", Value: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := run.Info.RunID
	srv := serve(t, st, ui.Options{})
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(path, origin string, form url.Values) int {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	read := func() *store.Run {
		t.Helper()
		r, err := st.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Refused: no Origin, another site's, a sandboxed artifact's (null).
	for _, origin := range []string{"", "http://evil.example", "null", "http://127.0.0.1:1"} {
		if got := post("/runs/"+id+"/rename", origin, url.Values{"name": {"evil"}}); got != http.StatusForbidden {
			t.Errorf("rename from origin %q: status %d, want 403", origin, got)
		}
		if got := post("/runs/"+id+"/delete", origin, nil); got != http.StatusForbidden {
			t.Errorf("delete from origin %q: status %d, want 403", origin, got)
		}
	}
	if r := read(); r.Info.RunName != "old-name" || r.Info.LifecycleStage != store.LifecycleActive {
		t.Fatalf("refused edits changed the run: %+v", r.Info)
	}

	steps := []struct {
		path   string
		form   url.Values
		status int
		check  func(*store.Run) bool
	}{
		{"/runs/" + id + "/rename", url.Values{"name": {"new-name"}}, 303, func(r *store.Run) bool { return r.Info.RunName == "new-name" }},
		{"/runs/" + id + "/rename", url.Values{"name": {" "}}, 400, func(r *store.Run) bool { return r.Info.RunName == "new-name" }},
		{"/runs/" + id + "/tags", url.Values{"key": {"owner"}, "value": {"grove"}}, 303, func(r *store.Run) bool { v, _ := r.Tag("owner"); return v == "grove" }},
		// The API's rules, which the store alone does not check: a key MLflow
		// refuses, a value over its limit, an experiment name too long.
		{"/runs/" + id + "/tags", url.Values{"key": {"../escape"}, "value": {"x"}}, 400, func(r *store.Run) bool { _, ok := r.Tag("../escape"); return !ok }},
		{"/runs/" + id + "/tags", url.Values{"key": {"<b>"}, "value": {"x"}}, 400, func(r *store.Run) bool { _, ok := r.Tag("<b>"); return !ok }},
		{"/runs/" + id + "/tags", url.Values{"key": {"long"}, "value": {strings.Repeat("v", store.MaxTagValueLength+1)}}, 400, func(r *store.Run) bool { _, ok := r.Tag("long"); return !ok }},
		{"/runs/" + id + "/tags", url.Values{"key": {" "}, "value": {"x"}}, 400, func(r *store.Run) bool { return true }},
		{"/runs/" + id + "/tags/delete", url.Values{"key": {"team"}}, 303, func(r *store.Run) bool { _, ok := r.Tag("team"); return !ok }},
		{"/runs/" + id + "/tags/delete", url.Values{"key": {"never-set"}}, 404, func(r *store.Run) bool { return true }},
		{"/runs/" + id + "/delete", nil, 303, func(r *store.Run) bool { return r.Info.LifecycleStage == store.LifecycleDeleted }},
		{"/runs/" + id + "/restore", nil, 303, func(r *store.Run) bool { return r.Info.LifecycleStage == store.LifecycleActive }},
	}
	for _, s := range steps {
		if got := post(s.path, srv.URL, s.form); got != s.status {
			t.Errorf("%s %v: status %d, want %d", s.path, s.form, got, s.status)
		}
		if r := read(); !s.check(r) {
			t.Errorf("after %s %v: run %+v, tags %v", s.path, s.form, r.Info, r.Data.Tags)
		}
	}
	if got := post("/experiments/"+expID+"/rename", srv.URL, url.Values{"name": {"after"}}); got != 303 {
		t.Errorf("rename experiment: status %d", got)
	}
	if got := post("/experiments/"+expID+"/rename", srv.URL, url.Values{"name": {strings.Repeat("n", store.MaxExperimentNameLength+1)}}); got != 400 {
		t.Errorf("rename experiment past MLflow's limit: status %d, want 400", got)
	}
	if e, _ := st.GetExperiment(ctx, expID); e.Name != "after" {
		t.Errorf("experiment named %q, want after", e.Name)
	}
	if _, body := get(t, srv, "/"); !strings.Contains(body, ">after</a>") {
		t.Errorf("the experiments list does not show the new name")
	}

	// A store without store.Manager cannot delete: the page says so, with
	// the API's NOT_IMPLEMENTED.
	plain := serve(t, &recording{Store: st}, ui.Options{})
	req, _ := http.NewRequest("POST", plain.URL+"/runs/"+id+"/delete", nil)
	req.Header.Set("Origin", plain.URL)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(string(body), "deleting runs") {
		t.Errorf("delete through a store without Manager: status %d, want 501 saying so:\n%s", resp.StatusCode, body)
	}
}
