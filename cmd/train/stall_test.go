package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grove-ml/grove/datasets/iris"
	"github.com/grove-ml/grove/internal/stalltest"
	"github.com/grove-ml/grove/models/forest"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/autolog"
	"github.com/grove-ml/grove/tracking/mlmodel"
)

// stallAfterTraining is an MLflow server that answers what a run needs
// before training (experiment, run, params, tags, inputs) and stalls on
// the first artifact upload after it, and on the run's update when
// stallEnd is set.
type stallAfterTraining struct {
	srv      *httptest.Server
	stallEnd bool
	uploads  chan struct{} // one value per upload that arrived

	mu     sync.Mutex
	ended  []string // statuses sent by runs/update, answered or not
	errors []string // requests the server did not expect
}

const stallRunID = "4312bb15b56542888521104be6104d58"

func newStallAfterTraining(t *testing.T, stallEnd bool) *stallAfterTraining {
	s := &stallAfterTraining{stallEnd: stallEnd, uploads: make(chan struct{}, 100)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.srv.CloseClientConnections()
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range s.errors {
			t.Errorf("unexpected request %s", e)
		}
	})
	return s
}

func (s *stallAfterTraining) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	info := `{"run_id": "` + stallRunID + `", "experiment_id": "1", "run_name": "stalled", "status": "RUNNING",
		"artifact_uri": "mlflow-artifacts:/1/` + stallRunID + `/artifacts", "lifecycle_stage": "active"}`
	switch p := r.URL.Path; {
	case p == "/api/2.0/mlflow/experiments/get-by-name":
		io.WriteString(w, `{"experiment": {"experiment_id": "1", "name": "random_forest",
			"artifact_location": "mlflow-artifacts:/1", "lifecycle_stage": "active"}}`)
	case p == "/api/2.0/mlflow/runs/create", p == "/api/2.0/mlflow/runs/get":
		io.WriteString(w, `{"run": {"info": `+info+`, "data": {}}}`)
	case p == "/api/2.0/mlflow/runs/log-batch", p == "/api/2.0/mlflow/runs/log-inputs":
		io.WriteString(w, `{}`)
	case r.Method == http.MethodPut && strings.HasPrefix(p, "/api/2.0/mlflow-artifacts/artifacts/"):
		s.uploads <- struct{}{}
		<-r.Context().Done()
	case p == "/api/2.0/mlflow/runs/update":
		var req struct {
			Status string `json:"status"`
		}
		json.Unmarshal(body, &req)
		s.mu.Lock()
		s.ended = append(s.ended, req.Status)
		s.mu.Unlock()
		if s.stallEnd {
			<-r.Context().Done()
			return
		}
		io.WriteString(w, `{"run_info": `+strings.Replace(info, "RUNNING", req.Status, 1)+`}`)
	default:
		s.mu.Lock()
		s.errors = append(s.errors, r.Method+" "+p)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"}`)
	}
}

func (s *stallAfterTraining) endings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ended...)
}

// waited matches the time a failed request says it waited.
var waited = regexp.MustCompile(` in \d+(\.\d)? s \(\d+ attempts?\)`)

// TestStalledServerBeforeTraining: a server that accepts connections and
// never answers fails the command within the call's deadline, whatever the
// retries allowed, with one line naming the server, the request and the
// time it waited.
func TestStalledServerBeforeTraining(t *testing.T) {
	url, _ := stalltest.Server(t)
	t.Setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "0.2")
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "10")
	start := time.Now()
	code, stdout, stderr := runCmd(t, "-tracking-uri", url, "-trees", "5", "-no-spool")
	elapsed := time.Since(start)
	t.Logf("after %v: %s", elapsed, stderr)
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 1 and one line", code, stdout, stderr)
	}
	// The call's deadline is twice the attempt's 0.2 s; eleven attempts and
	// their waits would take over 10 s.
	if elapsed > 5*time.Second {
		t.Errorf("a stalled server held the command %v, want about 0.4 s", elapsed)
	}
	for _, part := range []string{url, "GET /api/2.0/mlflow/experiments/get-by-name", "did not answer"} {
		if !strings.Contains(stderr, part) {
			t.Errorf("stderr %q does not say %q", stderr, part)
		}
	}
	if !waited.MatchString(stderr) {
		t.Errorf("stderr %q does not say how long it waited", stderr)
	}
}

// TestStalledServerAfterTraining: a server that stalls once the model is
// trained fails the command within the call's deadline; the run is marked
// FAILED and the line names the request, the time waited and the folder
// where the trained model was saved, with its class names.
func TestStalledServerAfterTraining(t *testing.T) {
	srv := newStallAfterTraining(t, false)
	tmp := t.TempDir()
	t.Chdir(tmp)
	// Long enough for the requests the server answers, on a busy machine.
	t.Setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "0.5")
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "10")
	start := time.Now()
	code, _, stderr := runCmd(t, "-tracking-uri", srv.srv.URL, "-trees", "5", "-no-spool")
	elapsed := time.Since(start)
	t.Logf("after %v: %s", elapsed, stderr)
	if code != 1 || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want 1 and one line", code, stderr)
	}
	if elapsed > 10*time.Second {
		t.Errorf("a stalled server held the command %v", elapsed)
	}
	saved := filepath.Join(tmp, "grove-model-"+stallRunID)
	for _, part := range []string{srv.srv.URL, "PUT /api/2.0/mlflow-artifacts/artifacts/", "saved at " + saved} {
		if !strings.Contains(stderr, part) {
			t.Errorf("stderr %q does not say %q", stderr, part)
		}
	}
	if !waited.MatchString(stderr) {
		t.Errorf("stderr %q does not say how long it waited", stderr)
	}
	if got := srv.endings(); len(got) != 1 || got[0] != "FAILED" {
		t.Errorf("runs/update sent %v, want [FAILED]", got)
	}
	checkSavedModel(t, saved)
}

// checkSavedModel loads the fallback model folder: a forest that predicts
// Iris, and an MLmodel naming Iris's classes.
func checkSavedModel(t *testing.T, dir string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, "MLmodel"))
	if err != nil {
		t.Fatal(err)
	}
	mm, err := mlmodel.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var classes []string
	if err := json.Unmarshal([]byte(fmt.Sprint(mm.Flavors[autolog.Flavor]["class_names"])), &classes); err != nil ||
		strings.Join(classes, ",") != strings.Join(iris.Load().ClassNames, ",") {
		t.Errorf("saved MLmodel names classes %v, want Iris's %v", classes, iris.Load().ClassNames)
	}
	f, err := os.Open(filepath.Join(dir, autolog.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := forest.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if m.Classes() != len(classes) {
		t.Errorf("saved forest has %d classes, MLmodel names %d", m.Classes(), len(classes))
	}
}

// TestStalledServerCtrlC builds the command and presses Ctrl-C while a
// stalled server holds an upload after training, under the default
// timeouts: the command stops at once, tries to mark the run KILLED for at
// most tracking.StopTimeout (the server stalls on that too), and exits 130
// with one line naming the saved model.
func TestStalledServerCtrlC(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping a build and a timed interruption in -short mode")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on windows")
	}
	srv := newStallAfterTraining(t, true)
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "train")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-tracking-uri", srv.srv.URL, "-trees", "5", "-no-spool")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "MLFLOW_HTTP_REQUEST_TIMEOUT=", "MLFLOW_HTTP_REQUEST_MAX_RETRIES=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-srv.uploads:
	case err := <-done:
		t.Fatalf("the command ended before uploading: %v\n%s", err, stderr.String())
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("no upload within a minute")
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("the command went on for a minute after Ctrl-C")
	}
	elapsed := time.Since(sent)
	t.Logf("%v after Ctrl-C: %s", elapsed, stderr.String())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("the command ended with %v, want exit status 130", err)
	}
	if elapsed > tracking.StopTimeout+3*time.Second {
		t.Errorf("the command took %v after Ctrl-C, want at most about %v", elapsed, tracking.StopTimeout)
	}
	line := stderr.String()
	saved := filepath.Join(tmp, "grove-model-"+stallRunID)
	if !strings.HasPrefix(line, "train: interrupted") || strings.Count(line, "\n") != 1 || !strings.Contains(line, saved) {
		t.Errorf("stderr %q; want one interrupted line naming %s", line, saved)
	}
	if got := srv.endings(); len(got) != 1 || got[0] != "KILLED" {
		t.Errorf("runs/update sent %v, want one attempt to mark the run KILLED", got)
	}
	checkSavedModel(t, saved)
}

// TestBadHTTPEnv: a timeout or retry count that cannot be read is an error
// naming the variable, not a silent default.
func TestBadHTTPEnv(t *testing.T) {
	for _, name := range []string{"MLFLOW_HTTP_REQUEST_TIMEOUT", "MLFLOW_HTTP_REQUEST_MAX_RETRIES"} {
		for _, value := range []string{"abc", "-5"} {
			t.Run(name+"="+value, func(t *testing.T) {
				t.Setenv(name, value)
				code, _, stderr := runCmd(t, "-tracking-uri", "http://127.0.0.1:1", "-trees", "5", "-no-spool")
				if code != 1 || strings.Count(stderr, "\n") != 1 {
					t.Fatalf("exit %d, stderr %q; want 1 and one line", code, stderr)
				}
				if !strings.Contains(stderr, name) || !strings.Contains(stderr, `"`+value+`"`) {
					t.Errorf("stderr %q does not name %s and %q", stderr, name, value)
				}
			})
		}
	}
}

// TestTrackingURIFromEnv: a tracking URI grove cannot open that comes from
// $MLFLOW_TRACKING_URI, not a flag, fails with status 1 and says where it
// came from.
func TestTrackingURIFromEnv(t *testing.T) {
	t.Setenv(tracking.EnvTrackingURI, "databricks")
	code, _, stderr := runCmd(t, "-trees", "5")
	if code != 1 || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want 1 and one line", code, stderr)
	}
	for _, part := range []string{`"databricks" (from $MLFLOW_TRACKING_URI)`, "Databricks workspaces are not supported", "sqlite:///"} {
		if !strings.Contains(stderr, part) {
			t.Errorf("stderr %q does not say %q", stderr, part)
		}
	}
}
