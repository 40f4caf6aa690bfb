package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
	gsync "github.com/grove-ml/grove/tracking/sync"
)

// deleting is a SQLite store that deletes run victim the moment its loss
// history is read, as a user would while a sync copies it.
type deleting struct {
	*sqlstore.Store
	victim string
}

func (d *deleting) GetMetricHistory(ctx context.Context, runID, key string) ([]store.Metric, error) {
	if runID == d.victim && key == "loss" {
		if err := d.Store.DeleteRun(ctx, runID); err != nil {
			return nil, err
		}
	}
	return d.Store.GetMetricHistory(ctx, runID, key)
}

// TestRunDeletedDuringSync deletes a run on the source while it is copied
// between two SQLite files: its partial copy is taken back, the others are
// copied, and the next sync has nothing to do.
func TestRunDeletedDuringSync(t *testing.T) {
	ctx := context.Background()
	base := openSQLite(t, t.TempDir())
	ids := recordRuns(t, base, exp, 3)
	src := &deleting{Store: base, victim: ids[1]}
	dst := openSQLite(t, t.TempDir())
	sum, err := gsync.Sync(ctx, src, dst, gsync.Options{Experiment: exp})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 2 || sum.Abandoned != 1 {
		t.Errorf("summary %+v, want 2 runs copied and 1 abandoned", sum)
	}
	sameAll(t, base, []string{ids[0], ids[2]}, dst, exp)
	// sameAll saw exactly two active copies: the partial copy of the
	// deleted run is no longer active on the target.
	sum, err = gsync.Sync(ctx, base, dst, gsync.Options{Experiment: exp})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 0 || sum.Skipped != 2 {
		t.Errorf("second sync: %+v", sum)
	}
}

// TestDryRun writes nothing and counts what the real sync then sends.
func TestDryRun(t *testing.T) {
	ctx := context.Background()
	src := openSQLite(t, t.TempDir())
	ids := recordRuns(t, src, exp, 2)
	// A run still going is neither counted nor copied.
	c := tracking.NewClient(src, "")
	e, _ := c.GetOrCreateExperiment(ctx, exp)
	if _, err := c.StartRun(ctx, e.ID, tracking.RunOptions{Name: "still-going"}); err != nil {
		t.Fatal(err)
	}
	dst := openSQLite(t, t.TempDir())
	var out strings.Builder
	dry, err := gsync.Sync(ctx, src, dst, gsync.Options{DryRun: true, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.GetExperimentByName(ctx, exp); err == nil {
		t.Error("a dry run created the experiment on the target")
	}
	for _, id := range ids {
		if !strings.Contains(out.String(), "would copy run "+id) {
			t.Errorf("dry run does not list run %s:\n%s", id, out.String())
		}
	}
	real, err := gsync.Sync(ctx, src, dst, gsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Runs != real.Runs || dry.Points != real.Points || dry.Bytes != real.Bytes || dry.Models != real.Models || real.Runs != 2 {
		t.Errorf("dry run counted %+v, the sync did %+v", dry, real)
	}
	if dry.Running != 1 || real.Running != 1 {
		t.Errorf("running runs: dry run %d, sync %d, want 1", dry.Running, real.Running)
	}
	sameAll(t, src, ids, dst, exp)
}

// TestDeleteSource deletes each source run once its copy is complete, from
// a SQLite file and from a server, and refuses a source that cannot delete
// runs.
func TestDeleteSource(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		src  func(t *testing.T) store.Store
		dst  func(t *testing.T) store.Store
	}{
		{"sqlite to server",
			func(t *testing.T) store.Store { return openSQLite(t, t.TempDir()) },
			func(t *testing.T) store.Store { return newServer(t).client(t) }},
		{"server to sqlite",
			func(t *testing.T) store.Store { return newServer(t).client(t) },
			func(t *testing.T) store.Store { return openSQLite(t, t.TempDir()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := tc.src(t), tc.dst(t)
			ids := recordRuns(t, src, exp, 2)
			sum, err := gsync.Sync(ctx, src, dst, gsync.Options{DeleteSource: true})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Deleted != 2 {
				t.Errorf("summary %+v, want 2 source runs deleted", sum)
			}
			sameAll(t, src, ids, dst, exp)
			e, _ := src.GetExperimentByName(ctx, exp)
			if left, _ := store.AllRuns(ctx, src, store.RunQuery{ExperimentIDs: []string{e.ID}}); len(left) != 0 {
				t.Errorf("%d source runs still active", len(left))
			}
		})
	}
	t.Run("a source that cannot delete", func(t *testing.T) {
		src := struct{ store.Store }{openSQLite(t, t.TempDir())}
		recordRuns(t, src, exp, 1)
		_, err := gsync.Sync(ctx, src, openSQLite(t, t.TempDir()), gsync.Options{Experiment: exp, DeleteSource: true})
		if err == nil || !strings.Contains(err.Error(), "delete") {
			t.Errorf("delete-source from a store without store.Manager: %v", err)
		}
	})
}

// TestBackupFromServer copies every experiment of a server into a SQLite
// file, the server listing them as a SQLite store does; a source that
// cannot list its experiments needs one named.
func TestBackupFromServer(t *testing.T) {
	ctx := context.Background()
	ts := newServer(t)
	srv := ts.client(t)
	ids := recordRuns(t, srv, exp, 2)
	other := recordRuns(t, srv, "other", 1)
	dst := openSQLite(t, t.TempDir())
	sum, err := gsync.Sync(ctx, srv, dst, gsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 3 {
		t.Errorf("summary %+v, want 3 runs", sum)
	}
	sameAll(t, srv, ids, dst, exp)
	sameAll(t, srv, other, dst, "other")
	if _, err := gsync.Sync(ctx, struct{ store.Store }{srv}, dst, gsync.Options{}); err == nil || !strings.Contains(err.Error(), "-experiment") {
		t.Errorf("sync of every experiment from a store that cannot list them: %v", err)
	}
}

// TestRunDeletedDuringSyncToServer deletes a run on the source while it is
// copied to a server: its partial copy is deleted on the server, not left
// KILLED beside the others.
func TestRunDeletedDuringSyncToServer(t *testing.T) {
	ctx := context.Background()
	base := openSQLite(t, t.TempDir())
	ids := recordRuns(t, base, exp, 3)
	src := &deleting{Store: base, victim: ids[1]}
	ts := newServer(t)
	dst := ts.client(t)
	sum, err := gsync.Sync(ctx, src, dst, gsync.Options{Experiment: exp})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Runs != 2 || sum.Abandoned != 1 {
		t.Errorf("summary %+v, want 2 runs copied and 1 abandoned", sum)
	}
	sameAll(t, base, []string{ids[0], ids[2]}, dst, exp)
	e, err := ts.back.GetExperimentByName(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.AllRuns(ctx, ts.back, store.RunQuery{ExperimentIDs: []string{e.ID}, ViewType: store.ViewAll})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range all {
		if v, _ := tagOf(r.Data.Tags, gsync.TagSourceRunID); v != ids[1] {
			continue
		}
		found = true
		if r.Info.LifecycleStage != store.LifecycleDeleted || r.Info.Status == store.StatusKilled {
			t.Errorf("the partial copy is %s and %s, want deleted", r.Info.LifecycleStage, r.Info.Status)
		}
	}
	if !found {
		t.Error("no partial copy of the deleted run on the server")
	}
}

// TestContinuesServerRun completes the run a program started on the
// server before recording the rest into a spool: the server keeps one run,
// its own, with every point once, ended as the spooled run ended.
func TestContinuesServerRun(t *testing.T) {
	ctx := context.Background()
	ts := newServer(t)
	srv := tracking.NewClient(ts.client(t), "")
	e, err := srv.GetOrCreateExperiment(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	first, err := srv.StartRun(ctx, e.ID, tracking.RunOptions{Name: "interrupted"})
	if err != nil {
		t.Fatal(err)
	}
	points := []store.Metric{{Key: "loss", Value: 1, Step: 0, Timestamp: 1000}, {Key: "loss", Value: 0.5, Step: 1, Timestamp: 2000}}
	if err := first.LogParam(ctx, "lr", "0.1"); err != nil {
		t.Fatal(err)
	}
	if err := first.LogMetricPoints(ctx, points[:1]); err != nil {
		t.Fatal(err)
	}
	// The server goes away; the program records the whole run locally.
	spool := openSQLite(t, t.TempDir())
	local := tracking.NewClient(spool, "")
	le, _ := local.GetOrCreateExperiment(ctx, exp)
	run, err := local.StartRun(ctx, le.ID, tracking.RunOptions{Name: "interrupted", StartTime: time.UnixMilli(first.Info().StartTime),
		Tags: map[string]string{gsync.TagContinuesRunID: first.ID()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.LogParam(ctx, "lr", "0.1"); err != nil {
		t.Fatal(err)
	}
	if err := run.LogMetricPoints(ctx, points); err != nil {
		t.Fatal(err)
	}
	if err := run.LogArtifactBytes(ctx, "note.txt", []byte("spooled")); err != nil {
		t.Fatal(err)
	}
	if err := run.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
	if _, err := gsync.Sync(ctx, spool, srv.Store(), gsync.Options{}); err != nil {
		t.Fatal(err)
	}
	cs := copies(t, srv.Store(), exp)
	if len(cs) != 1 || cs[run.ID()] == nil || cs[run.ID()].Info.RunID != first.ID() {
		t.Fatalf("copies on the server %v, want run %s adopted", cs, first.ID())
	}
	sameRun(t, spool, run.ID(), srv.Store(), first.ID())
}
