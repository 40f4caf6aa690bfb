package tracking_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// Each example opens its own store in a temporary folder, in full, rather
// than through a shared helper: go doc shows an example alone, and a reader
// copies it as it stands.

// Open a SQLite store as MLflow names it: three slashes and a path relative
// to the working directory, or four and an absolute path.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "grove-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	exp, err := c.GetOrCreateExperiment(ctx, "Default")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("experiment", exp.ID, exp.Name)

	_, err = tracking.Open(ctx, "file:///tmp/mlruns")
	fmt.Println(errors.Is(err, tracking.ErrFileStore))
	// Output:
	// experiment 0 Default
	// true
}

// Log a run: params, metrics over steps, a tag, an artifact, then end it.
func ExampleClient_StartRun() {
	dir, _ := os.MkdirTemp("", "grove-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	exp, err := c.GetOrCreateExperiment(ctx, "random_forest")
	if err != nil {
		log.Fatal(err)
	}
	run, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "first"})
	if err != nil {
		log.Fatal(err)
	}
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	check(run.LogParams(ctx, map[string]string{"n_estimators": "100", "max_depth": "None"}))
	for step, loss := range []float64{0.9, 0.5, 0.3} {
		check(run.LogMetric(ctx, "loss", loss, int64(step)))
	}
	check(run.SetTag(ctx, "team", "grove"))
	check(run.LogArtifactBytes(ctx, "notes/readme.txt", []byte("trained on iris\n")))
	check(run.End(ctx, store.StatusFinished))

	// Later, on data the model never saw: a custom metric on the same run.
	check(c.LogMetrics(ctx, run.ID(), map[string]float64{"accuracy_on_datasetXYZ": 0.98}))

	got, err := c.GetRun(ctx, run.ID())
	check(err)
	history, err := c.MetricHistory(ctx, run.ID(), "loss")
	check(err)
	files, err := run.ListArtifacts(ctx, "notes")
	check(err)
	n, _ := got.Param("n_estimators")
	latest, _ := got.Metric("loss")
	custom, _ := got.Metric("accuracy_on_datasetXYZ")
	fmt.Println(got.Info.RunName, got.Info.Status)
	fmt.Println("n_estimators", n)
	fmt.Println("loss", latest.Value, "at step", latest.Step, "of", len(history))
	fmt.Println("accuracy_on_datasetXYZ", custom.Value)
	fmt.Println(files[0].Path)

	err = run.LogMetric(ctx, "bad name!", 1, 0)
	fmt.Println(errors.Is(err, store.ErrInvalidParameter))
	// Output:
	// first FINISHED
	// n_estimators 100
	// loss 0.3 at step 2 of 3
	// accuracy_on_datasetXYZ 0.98
	// notes/readme.txt
	// true
}

// End a run whose work failed: FAILED, and the error in error_message.txt,
// where the MLflow UI's Artifacts tab shows it.
func ExampleRun_EndWithError() {
	dir, _ := os.MkdirTemp("", "grove-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	exp, err := c.GetOrCreateExperiment(ctx, "random_forest")
	if err != nil {
		log.Fatal(err)
	}
	run, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "broken"})
	if err != nil {
		log.Fatal(err)
	}

	work := errors.New("read test.csv: no such file or directory")
	if err := run.EndWithError(ctx, store.StatusFailed, work); err != nil {
		log.Fatal(err)
	}

	got, _ := c.GetRun(ctx, run.ID())
	files, _ := run.ListArtifacts(ctx, "")
	fmt.Println(got.Info.Status, files[0].Path, files[0].Size)
	// Output:
	// FAILED error_message.txt 41
}

// Name the spool's folder, and spell the command that sends its runs on
// to a server (credentials in the server's URI are left out).
func ExampleSpoolURI() {
	os.Setenv(tracking.EnvSpool, "/var/spool/grove")
	defer os.Unsetenv(tracking.EnvSpool)
	spool, err := tracking.SpoolURI()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(spool)
	fmt.Println(tracking.SyncCommand(spool, "https://alice:s3cret@mlflow.example.com"))

	os.Setenv(tracking.EnvSpool, "off")
	_, err = tracking.SpoolURI()
	fmt.Println(errors.Is(err, tracking.ErrSpoolOff))
	// Output:
	// sqlite:////var/spool/grove/mlflow.db
	// go run ./cmd/sync -from sqlite:////var/spool/grove/mlflow.db -to https://mlflow.example.com
	// true
}

// Find the best runs of a sweep: a filter and an order in MLflow's search
// syntax, answered by the store (in SQL for a SQLite store).
func ExampleClient_SearchRunsWith() {
	dir, _ := os.MkdirTemp("", "grove-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "mlflow.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	exp, err := c.GetOrCreateExperiment(ctx, "sweep")
	check(err)
	for i, depth := range []string{"2", "4", "8", "None"} {
		run, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "depth-" + depth})
		check(err)
		check(run.LogParams(ctx, map[string]string{"max_depth": depth, "criterion": []string{"gini", "entropy"}[i/2]}))
		check(run.LogMetric(ctx, "accuracy", []float64{0.81, 0.93, 0.95, 0.9}[i], 0))
		check(run.End(ctx, store.StatusFinished))
	}

	runs, err := c.SearchRunsWith(ctx, tracking.SearchRunsOptions{
		Filter:  "metrics.accuracy > 0.85 and attributes.status = 'FINISHED'",
		OrderBy: []string{"metrics.accuracy DESC"},
	}, exp.ID)
	check(err)
	for _, r := range runs {
		acc, _ := r.Metric("accuracy")
		criterion, _ := r.Param("criterion")
		fmt.Println(r.Info.RunName, criterion, acc.Value)
	}

	// MLflow's grammar has no OR: the store says so as MLflow does.
	_, err = c.SearchRunsWith(ctx, tracking.SearchRunsOptions{Filter: "metrics.accuracy > 0.9 or params.criterion = 'gini'"}, exp.ID)
	fmt.Println(errors.Is(err, store.ErrInvalidParameter))
	fmt.Println(err)
	// Output:
	// depth-8 entropy 0.95
	// depth-4 gini 0.93
	// depth-None entropy 0.9
	// true
	// tracking: search runs of experiments [1]: sqlstore: INVALID_PARAMETER_VALUE: Invalid clause(s) in filter string: 'or'
}
