package ui_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/browsertest"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/ui"
)

// TestBrowserSQLiteRuns drives the runs table of a SQLite store, which
// answers MLflow's search grammar itself: a click on a metric's header
// sorts the rows by it both ways, a filter keeps the matching row, a bad
// filter shows the store's own message, and a deleted run shows in the
// deleted view until it is restored.
func TestBrowserSQLiteRuns(t *testing.T) {
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "mlflow.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := recordHostile(t, st)
	srv := serve(t, st, ui.Options{})
	b := browsertest.New(t, 1400, 900)
	exp := "/experiments/" + h.expID
	names := `Array.from(document.querySelectorAll("#runs td.name a")).map(function (e) { return e.textContent; }).join("|")`
	loaded := func(cond, what string) {
		t.Helper()
		browsertest.WaitFor(t, b, `document.readyState === "complete" && `+cond, what, 10*time.Second)
	}
	submit := func(filter string) {
		t.Helper()
		browsertest.Eval[bool](t, b, `(function () {
			document.getElementById("filter").value = `+browsertest.JSString(filter)+`;
			document.getElementById("search").requestSubmit();
			return true;
		})()`)
	}

	t.Run("sort by a metric", func(t *testing.T) {
		visit(t, b, srv, exp)
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss+"|"+xss {
			t.Fatalf("before sorting: %q, want the newest first", got)
		}
		click := `(function () { Array.from(document.querySelectorAll("#runs th.metric a.sort")).find(function (a) { return a.textContent.indexOf("accuracy") === 0; }).click(); return true; })()`
		browsertest.Eval[bool](t, b, click)
		loaded(`location.search.indexOf("DESC") >= 0`, "sorted by accuracy descending")
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss+"|"+xss {
			t.Errorf("sorted by accuracy descending: %q, want 0.91 first", got)
		}
		browsertest.Eval[bool](t, b, click)
		loaded(`location.search.indexOf("ASC") >= 0`, "sorted by accuracy ascending")
		if got := browsertest.Eval[string](t, b, names); got != xss+"|second "+xss {
			t.Errorf("sorted by accuracy ascending: %q, want 0.9 first", got)
		}
		if got := browsertest.Eval[string](t, b, `new URLSearchParams(location.search).get("order_by")`); got != "metrics.`accuracy` ASC" {
			t.Errorf("order_by %q", got)
		}
		clean(t, b, srv)
	})
	t.Run("filter", func(t *testing.T) {
		visit(t, b, srv, exp)
		submit("metrics.accuracy > 0.905")
		loaded(`location.search.indexOf("filter=") >= 0`, "filtered")
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss {
			t.Errorf("filtered by accuracy > 0.905: %q", got)
		}
		submit("metrics.accuracy >>> 1")
		loaded(`document.getElementById("filter-error") !== null`, "the store's error shown")
		if got := text(t, b, "#filter-error"); !strings.Contains(got, ">>>") {
			t.Errorf("under the filter box: %q, want the store's message about the filter", got)
		}
		if n := browsertest.Eval[int](t, b, `document.querySelectorAll("#runs tbody tr").length`); n != 0 {
			t.Errorf("%d rows under a bad filter", n)
		}
		clean(t, b, srv)
	})
	t.Run("delete and restore", func(t *testing.T) {
		visit(t, b, srv, "/runs/"+h.run2ID)
		browsertest.Eval[bool](t, b, `(document.getElementById("delete-run").click(), true)`)
		loaded(`location.pathname === "/experiments/`+h.expID+`" && document.querySelectorAll("#runs tbody tr").length === 1`, "run deleted")
		if got := browsertest.Eval[string](t, b, names); got != xss {
			t.Errorf("active runs after the delete: %q", got)
		}
		visit(t, b, srv, exp+"?view=deleted")
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss {
			t.Errorf("deleted runs %q", got)
		}
		browsertest.Eval[bool](t, b, `(document.querySelector("button.restore").click(), true)`)
		loaded(`location.search === "?view=deleted" && document.querySelector("#runs") === null`, "run restored")
		visit(t, b, srv, exp)
		if got := browsertest.Eval[string](t, b, names); got != "second "+xss+"|"+xss {
			t.Errorf("active runs after the restore: %q", got)
		}
		clean(t, b, srv)
	})
}
