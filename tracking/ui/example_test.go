package ui_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/ui"
)

// Serve the runs of an mlflow.db in a browser: mount the handler at "/" of
// any server (here a test server; cmd/server mounts it beside MLflow's API).
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "grove-ui")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	exp, _ := c.GetOrCreateExperiment(ctx, "iris")
	run, _ := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "first-forest"})
	_ = run.LogParam(ctx, "test_size", "0.2")
	_ = run.LogMetric(ctx, "test_accuracy_score", 0.9667, 0)
	_ = run.End(ctx, store.StatusFinished)

	srv := httptest.NewServer(ui.New(c.Store(), ui.Options{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/experiments/" + exp.ID)
	if err != nil {
		log.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
	for _, s := range []string{"first-forest", "test_size", "test_accuracy_score", "0.9667"} {
		fmt.Println(s, strings.Contains(string(page), s))
	}
	// Output:
	// 200 OK text/html; charset=utf-8
	// first-forest true
	// test_size true
	// test_accuracy_score true
	// 0.9667 true
}
