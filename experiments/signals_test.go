//go:build unix

package experiments

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/store"
)

// TestTrainSignals stops the train command, built as a user builds it, with
// each signal a user or a scheduler sends in the middle of a long fit: the
// run ends KILLED saying why, and the command exits with the shell's status
// for the signal after one line on stderr.
func TestTrainSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the train command's signals in -short mode")
	}
	train := built(t, "./cmd/train")
	tests := []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGINT, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, "SIGHUP", 129},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			uri := "sqlite:///" + filepath.Join(dir, "mlflow.db")
			cmd := exec.Command(train, "-tracking-uri", uri, "-trees", "1000000", "-run-name", "long")
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			c := openStore(t, uri)
			waitRunning(t, c, "random_forest", 1)
			time.Sleep(200 * time.Millisecond) // into the fit
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, cmd)
			if code != tt.code {
				t.Errorf("exit %d after %s, want %d", code, tt.name, tt.code)
			}
			if got := stderr.String(); !strings.HasPrefix(got, "train: interrupted by "+tt.name) || strings.Count(got, "\n") != 1 {
				t.Errorf("stderr %q, want one line saying %s interrupted it", got, tt.name)
			}
			runs := runsOf(t, c, "random_forest")
			if len(runs) != 1 || runs[0].Info.Status != store.StatusKilled {
				t.Fatalf("runs %v, want one KILLED", statuses(runs))
			}
			if msg := errorMessage(t, c, runs[0]); !strings.Contains(msg, tt.name) {
				t.Errorf("%s says %q, want the signal named", tracking.ErrorArtifact, msg)
			}
		})
	}
}

// TestSweepSignals stops a sweep of long trainings, two at a time, as a
// terminal's Ctrl-C does (SIGINT to the whole process group) and as
// timeout or docker stop do (SIGTERM to the sweep alone): the trainings
// under way end their runs KILLED, the others never start, no run is left
// RUNNING, and the sweep exits with the signal's status.
func TestSweepSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the sweep's signals in -short mode")
	}
	train := built(t, "./cmd/train")
	sweep := built(t, "./experiments/sweep")
	tests := []struct {
		name  string
		sig   syscall.Signal
		group bool // to the process group, as a terminal sends Ctrl-C
		code  int
	}{
		{"ctrl-c", syscall.SIGINT, true, 130},
		{"SIGTERM", syscall.SIGTERM, false, 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			uri := "sqlite:///" + filepath.Join(dir, "mlflow.db")
			cmd := exec.Command(sweep, "-train", train, "-tracking-uri", uri, "-parallel", "2", "-sizes", "0.3,0.2,0.1", "--", "-trees", "1000000")
			cmd.Dir = dir
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			c := openStore(t, uri)
			waitRunning(t, c, "test_size_sweep", 2)
			time.Sleep(200 * time.Millisecond)
			pid := cmd.Process.Pid
			if tt.group {
				pid = -pid
			}
			if err := syscall.Kill(pid, tt.sig); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, cmd); code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if got := stderr.String(); !strings.HasPrefix(got, "sweep: interrupted by ") {
				t.Errorf("stderr %q, want it to say the sweep was interrupted", got)
			}
			runs := runsOf(t, c, "test_size_sweep")
			if len(runs) != 2 {
				t.Errorf("runs %v: want the two under way, and no third started after the signal", statuses(runs))
			}
			for _, r := range runs {
				if r.Info.Status != store.StatusKilled {
					t.Errorf("run %s is %s, want KILLED", r.Info.RunName, r.Info.Status)
				}
			}
		})
	}
}

// waitRunning waits until n runs of the experiment are RUNNING.
func waitRunning(t *testing.T, c *tracking.Client, experiment string, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		running := 0
		for _, r := range runsOf(t, c, experiment) {
			if r.Info.Status == store.StatusRunning {
				running++
			}
		}
		if running >= n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%d runs never were RUNNING at once", n)
}

// waitExit waits for cmd, at most a minute, and returns its exit status.
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("still running a minute after the signal")
	}
	return cmd.ProcessState.ExitCode()
}
