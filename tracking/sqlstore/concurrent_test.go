package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

// childEnv, when set, turns the test binary into one of the processes of
// TestManyProcesses: it names the database to log into.
const childEnv = "GROVE_SQLSTORE_CHILD_DB"

const (
	processes         = 8
	metricsPerProcess = 500
)

func TestMain(m *testing.M) {
	if db := os.Getenv(childEnv); db != "" {
		if err := child(db, os.Getenv("GROVE_SQLSTORE_CHILD_NAME")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child opens (or, racing the others, creates) the database, gets or creates
// the shared experiment, and logs one run with metricsPerProcess metrics, one
// transaction each, as a training loop would.
func child(dbPath, name string) error {
	ctx := context.Background()
	s, err := Open(ctx, dbPath, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	var expID string
	for expID == "" {
		e, err := s.GetExperimentByName(ctx, "sweep")
		switch {
		case err == nil:
			expID = e.ID
		case errors.Is(err, store.ErrNotFound):
			expID, err = s.CreateExperiment(ctx, "sweep", "", nil)
			if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
				return err
			}
		default:
			return err
		}
	}
	run, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: expID, RunName: name})
	if err != nil {
		return err
	}
	if err := s.LogBatch(ctx, run.Info.RunID, nil, []store.Param{{Key: "worker", Value: name}}, nil); err != nil {
		return err
	}
	for i := range metricsPerProcess {
		m := store.Metric{Key: "loss", Value: 1 / float64(i+1), Timestamp: int64(i), Step: int64(i)}
		if err := s.LogBatch(ctx, run.Info.RunID, []store.Metric{m}, nil, nil); err != nil {
			return fmt.Errorf("metric %d: %w", i, err)
		}
	}
	_, err = s.UpdateRun(ctx, run.Info.RunID, store.StatusFinished, metricsPerProcess, "")
	return err
}

// TestManyProcesses starts processes that create one database together and
// each log a run into it: no error, no lost row, and SQLite finds the file
// intact.
func TestManyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 8 processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "mlflow.db")
	cmds := make([]*exec.Cmd, processes)
	outs := make([][]byte, processes)
	errs := make(chan error, processes)
	for i := range cmds {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+dbPath, "GROVE_SQLSTORE_CHILD_NAME=worker-"+strconv.Itoa(i))
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		go func() {
			out, err := cmd.CombinedOutput()
			outs[i] = out
			if err != nil {
				err = fmt.Errorf("process %d: %v\n%s", i, err, out)
			}
			errs <- err
		}()
	}
	for range cmds {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		return
	}

	ctx := context.Background()
	s, err := Open(ctx, dbPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ok string
	if err := sqlDB(t, s).QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	var exps, runs, metrics, latest, params, finished int
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM experiments WHERE name = 'sweep'`).Scan(&exps)
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM runs`).Scan(&runs)
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM runs WHERE status = 'FINISHED'`).Scan(&finished)
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM metrics`).Scan(&metrics)
	sqlDB(t, s).QueryRow(`SELECT count(*) FROM latest_metrics WHERE step = ?`, metricsPerProcess-1).Scan(&latest)
	sqlDB(t, s).QueryRow(`SELECT count(DISTINCT value) FROM params WHERE "key" = 'worker'`).Scan(&params)
	if exps != 1 || runs != processes || finished != processes || metrics != processes*metricsPerProcess || latest != processes || params != processes {
		t.Errorf("experiments %d, runs %d (finished %d), metrics %d, latest at last step %d, workers %d; want 1, %d (%d), %d, %d, %d",
			exps, runs, finished, metrics, latest, params, processes, processes, processes*metricsPerProcess, processes, processes)
	}
	var fk int
	rows, _ := sqlDB(t, s).Query(`PRAGMA foreign_key_check`)
	for rows.Next() {
		fk++
	}
	rows.Close()
	if fk != 0 {
		t.Errorf("%d foreign key violations", fk)
	}
}

// TestGoroutines logs into runs from several goroutines while others read
// histories and pages of runs from the same Store: each reader connection
// serves one goroutine at a time, and every read sees whole batches.
func TestGoroutines(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	exp, err := s.CreateExperiment(ctx, "goroutines", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	const writers, batches, perBatch = 4, 20, 50
	ids := make([]string, writers)
	for i := range ids {
		r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, StartTime: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r.Info.RunID
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for w, id := range ids {
		wg.Go(func() {
			for b := range batches {
				ms := make([]store.Metric, perBatch)
				for j := range ms {
					step := int64(b*perBatch + j)
					ms[j] = store.Metric{Key: "loss", Value: float64(w), Timestamp: step, Step: step}
				}
				if err := s.LogBatch(ctx, id, ms, nil, nil); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range batches {
				h, err := s.GetMetricHistory(ctx, id, "loss")
				if err != nil {
					errs <- err
					return
				}
				if len(h)%perBatch != 0 {
					errs <- fmt.Errorf("history of run %d has %d points, not whole batches", w, len(h))
					return
				}
				for i, m := range h {
					if m.Step != int64(i) || m.Value != float64(w) {
						errs <- fmt.Errorf("run %d point %d: %+v", w, i, m)
						return
					}
				}
				if _, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	runs, _, err := s.SearchRuns(ctx, store.RunQuery{ExperimentIDs: []string{exp}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if len(r.Data.Metrics) != 1 || r.Data.Metrics[0].Step != batches*perBatch-1 {
			t.Errorf("run %s latest metrics %+v", r.Info.RunID, r.Data.Metrics)
		}
	}
}
