package sync_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
	"github.com/grove-ml/grove/tracking/sync"
)

// Merge one SQLite store into another; a second sync finds every run
// already there.
func ExampleSync() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "grove-sync")
	defer os.RemoveAll(dir)
	from, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "laptop.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer from.Close()
	to, err := tracking.Open(ctx, "sqlite:///"+filepath.Join(dir, "backup.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer to.Close()

	exp, _ := from.GetOrCreateExperiment(ctx, "iris")
	run, _ := from.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "first"})
	for step := range 3 {
		run.LogMetric(ctx, "loss", 1/float64(step+1), int64(step))
	}
	run.LogArtifactBytes(ctx, "notes.txt", []byte("hello"))
	run.End(ctx, store.StatusFinished)

	for range 2 {
		sum, err := sync.Sync(ctx, from.Store(), to.Store(), sync.Options{Experiment: "iris"})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(sum)
	}
	// Output:
	// 1 run, 3 points, 5 bytes
	// 0 runs, 0 points, 0 bytes; 1 already there
}
