package report_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/grove-ml/grove/tracking/report"
	"github.com/grove-ml/grove/tracking/store"
)

// Log draws the page for the experiment of a run and attaches it to the run.
func ExampleLog() {
	ctx := context.Background()
	var st store.Store = newMemStore() // tracking.Open(uri) in a program
	exp, _ := st.CreateExperiment(ctx, "iris", "", nil)
	var newest string
	for i, ts := range []string{"0.2", "0.3"} {
		run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: "forest-" + ts, StartTime: int64(1000 * (i + 1))})
		if err != nil {
			log.Fatal(err)
		}
		err = st.LogBatch(ctx, run.Info.RunID,
			[]store.Metric{{Key: "test_accuracy_score", Value: 0.97 - 0.03*float64(i)}},
			[]store.Param{{Key: "test_size", Value: ts}}, nil)
		if err != nil {
			log.Fatal(err)
		}
		newest = run.Info.RunID
	}

	page, err := report.Log(ctx, st, newest, report.Options{})
	if err != nil {
		log.Fatal(err)
	}
	run, _ := st.GetRun(ctx, newest)
	repo, _ := st.Artifacts(ctx, run.Info.ArtifactURI)
	files, _ := repo.List(ctx, "")
	fmt.Println(files[0].Path, files[0].Size == int64(len(page)))
	fmt.Println(bytes.Contains(page, []byte("2 runs, 1 metric; metrics logged once per run are drawn against test_size")))
	// Output:
	// metrics_report.html true
	// true
}

// Build draws the page for any experiment, here one without runs yet.
func ExampleBuild() {
	ctx := context.Background()
	st := newMemStore()
	exp, _ := st.CreateExperiment(ctx, "fresh", "", nil)
	page, err := report.Build(ctx, st, exp, report.Options{X: report.XAuto})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Contains(page, []byte("This experiment has no runs yet")))
	// Output: true
}

// Collect and Render split Build in two: read the runs once, then draw
// pages with different axes from them.
func ExampleRender() {
	ctx := context.Background()
	st := newMemStore()
	exp, _ := st.CreateExperiment(ctx, "sweep", "", nil)
	for i, ts := range []string{"0.2", "0.3", "0.4"} {
		run, _ := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: "forest-" + ts, StartTime: int64(i + 1)})
		_ = st.LogBatch(ctx, run.Info.RunID,
			[]store.Metric{{Key: "test_accuracy_score", Value: 0.97 - 0.02*float64(i)}},
			[]store.Param{{Key: "test_size", Value: ts}}, nil)
	}
	d, err := report.Collect(ctx, st, exp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Summary(), d.Keys())
	for _, x := range []string{report.XAuto, report.XRun} {
		var page bytes.Buffer
		if err := report.Render(&page, d, report.Options{X: x}); err != nil {
			log.Fatal(err)
		}
		fmt.Println(x, bytes.Contains(page.Bytes(), []byte(`"subtext":"3 runs, x: test_size"`)))
	}
	// Output:
	// 3 runs, 1 metric [test_accuracy_score]
	// auto true
	// run false
}
