package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// The edits MLflow's UI allows: rename a run or an experiment, set and
// delete a run's tags, delete and restore a run. Each is a form posted to
// the UI, answered by a redirect to the page it came from.

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

// manager returns the store's management operations, or an error saying the
// store has none.
func (h *handler) manager() (store.Manager, error) {
	if m, ok := h.st.(store.Manager); ok {
		return m, nil
	}
	return nil, store.Errorf(store.CodeInvalidParameter, "ui: this store cannot delete, restore or rename")
}

func (h *handler) renameRun(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if name == "" {
			return store.Errorf(store.CodeInvalidParameter, "ui: a run's name cannot be empty")
		}
		run, err := h.st.GetRun(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.st.UpdateRun(ctx, id, run.Info.Status, run.Info.EndTime, name)
		return err
	})
}

func (h *handler) setRunTag(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		key := strings.TrimSpace(r.PostForm.Get("key"))
		if key == "" {
			return store.Errorf(store.CodeInvalidParameter, "ui: a tag needs a key")
		}
		return h.st.LogBatch(ctx, id, nil, nil, []store.Tag{{Key: key, Value: r.PostForm.Get("value")}})
	})
}

func (h *handler) deleteRunTag(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/runs/"+url.PathEscape(id), func(ctx context.Context) error {
		m, err := h.manager()
		if err != nil {
			return err
		}
		return m.DeleteTag(ctx, id, r.PostForm.Get("key"))
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
	back := "/experiments/" + url.PathEscape(run.Info.ExperimentID)
	if !del {
		back += "?view=deleted"
	}
	h.edit(w, r, back, func(ctx context.Context) error {
		m, err := h.manager()
		if err != nil {
			return err
		}
		if del {
			return m.DeleteRun(ctx, id)
		}
		return m.RestoreRun(ctx, id)
	})
}

func (h *handler) renameExperiment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h.edit(w, r, "/experiments/"+url.PathEscape(id), func(ctx context.Context) error {
		m, err := h.manager()
		if err != nil {
			return err
		}
		name := strings.TrimSpace(r.PostForm.Get("name"))
		if name == "" {
			return store.Errorf(store.CodeInvalidParameter, "ui: an experiment's name cannot be empty")
		}
		if err := m.RenameExperiment(ctx, id, name); err != nil {
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

// canManage reports whether the store deletes, restores and renames.
func (h *handler) canManage() bool {
	_, err := h.manager()
	return !errors.Is(err, store.ErrInvalidParameter)
}
