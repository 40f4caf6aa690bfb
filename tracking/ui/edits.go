package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/api"
	"github.com/grove-ml/grove/tracking/store"
)

// The edits MLflow's UI allows: rename a run or an experiment, set and
// delete a run's tags, delete and restore a run. Each is a form posted to
// the UI, sent on to MLflow's API in process, and answered by a redirect to
// the page it came from.

// errCrossOrigin refuses a write that did not come from the UI's own pages.
var errCrossOrigin = store.Errorf(store.CodeInvalidParameter, "ui: a change must come from this server's own pages")

// sameOrigin reports whether r was sent by a page of this server: a browser
// names the page's origin in Origin on every POST, and a form on another
// site cannot forge it. Requests without Origin are refused too; programs
// change runs through the REST API.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

// edit checks the request's origin, runs do and redirects to back, or
// shows what failed.
func (h *handler) edit(w http.ResponseWriter, r *http.Request, back string, do func(ctx context.Context) error) {
	if !sameOrigin(r) {
		h.render(w, r, http.StatusForbidden, "error", errorPage{base: h.base(r.Context(), "Refused", ""), Message: errCrossOrigin.Message})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, store.Errorf(store.CodeInvalidParameter, "ui: %v", err))
		return
	}
	if err := do(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// answer is the API's response to a call made in process.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }
func (a *answer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}
func (a *answer) WriteHeader(status int) { a.status = status }

// call posts req as JSON to endpoint of MLflow's API (tracking/server) in
// process, so that an edit made in the UI is checked and written as a
// client's request would be, and fails with MLflow's code and message.
func (h *handler) call(ctx context.Context, endpoint string, req any) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/api/2.0/mlflow/"+endpoint, bytes.NewReader(b))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	a := &answer{header: http.Header{}}
	h.api.ServeHTTP(a, r)
	if a.status == http.StatusOK || a.status == 0 {
		return nil
	}
	var e api.Error
	if json.Unmarshal(a.body.Bytes(), &e) != nil || e.ErrorCode == "" {
		return fmt.Errorf("ui: %s answered %d: %s", endpoint, a.status, strings.TrimSpace(a.body.String()))
	}
	return store.Errorf(e.ErrorCode, "%s", e.Message)
}

func (h *handler) renameRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		// The API leaves a run's name as it is when given none; the form
		// asks for one.
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if name == "" {
			return store.Errorf(store.CodeInvalidParameter, "ui: a run's name cannot be empty")
		}
		return h.call(ctx, "runs/update", map[string]string{"run_id": id, "run_name": name})
	})
}

func (h *handler) setRunTag(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		return h.call(ctx, "runs/set-tag", map[string]string{"run_id": id,
			"key": strings.TrimSpace(r.PostForm.Get("key")), "value": r.PostForm.Get("value")})
	})
}

func (h *handler) deleteRunTag(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		return h.call(ctx, "runs/delete-tag", map[string]string{"run_id": id, "key": r.PostForm.Get("key")})
	})
}

// deleteRun goes back to the experiment's runs, restoreRun to its deleted
// runs, where the next run to restore is.
func (h *handler) deleteRun(w http.ResponseWriter, r *http.Request)  { h.runStage(w, r, true) }
func (h *handler) restoreRun(w http.ResponseWriter, r *http.Request) { h.runStage(w, r, false) }

func (h *handler) runStage(w http.ResponseWriter, r *http.Request, del bool) {
	id := r.PathValue("id")
	run, err := h.st.GetRun(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back, endpoint := "/experiments/"+url.PathEscape(run.Info.ExperimentID), "runs/delete"
	if !del {
		back, endpoint = back+"?view=deleted", "runs/restore"
	}
	h.edit(w, r, back, func(ctx context.Context) error {
		return h.call(ctx, endpoint, map[string]string{"run_id": id})
	})
}

func (h *handler) renameExperiment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/experiments/"+url.PathEscape(id), func(ctx context.Context) error {
		// The API leaves an experiment's name as it is when given none.
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if name == "" {
			return store.Errorf(store.CodeInvalidParameter, "ui: an experiment's name cannot be empty")
		}
		if err := h.call(ctx, "experiments/update", map[string]string{"experiment_id": id, "new_name": name}); err != nil {
			return err
		}
		h.exps.forget()
		return nil
	})
}

// forget drops the counts, so the list shows a change at once.
func (c *experimentCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, n := range c.counts {
		n.at = time.Time{}
		c.counts[id] = n
	}
}

// canManage reports whether the store deletes, restores and renames, so
// that the pages offer to.
func (h *handler) canManage() bool {
	_, ok := h.st.(store.Manager)
	return ok
}
