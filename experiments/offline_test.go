package experiments

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// TestSweepOffline runs the sweep while its tracking server is down, then
// starts the server on that address and runs the very command the sweep
// printed: the server ends up with every run, FINISHED, and a second run of
// the command copies nothing.
func TestSweepOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the offline sweep in -short mode")
	}
	tmp := t.TempDir()
	train := built(t, "./cmd/train")
	sweep := built(t, "./experiments/sweep")
	syncBin := built(t, "./cmd/sync")

	// A free loopback port with nothing listening on it: the server is down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	url := "http://" + addr

	env := append(os.Environ(), tracking.EnvSpool+"="+filepath.Join(tmp, "spool"), "MLFLOW_HTTP_REQUEST_MAX_RETRIES=0")
	cmd := exec.Command(sweep, "-sizes", "0.3,0.2", "-train", train, "-tracking-uri", url, "-experiment", "offline_sweep")
	cmd.Dir, cmd.Env = tmp, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sweep with its server down: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`send them on with: go run ./cmd/sync (-from \S+ -to \S+)\n`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the sweep does not say how to send its runs on:\n%s", out)
	}

	// The server comes up on the address the sweep could not reach.
	st, err := sqlstore.Open(context.Background(), filepath.Join(tmp, "server.db"), sqlstore.Options{ArtifactRoot: filepath.Join(tmp, "artifacts")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port of the down server was taken meanwhile: %v", err)
	}
	srv := &http.Server{Handler: server.New(server.Config{Store: st, ArtifactRoot: filepath.Join(tmp, "artifacts")})}
	go srv.Serve(l)
	defer srv.Close()

	for i, want := range []string{"copied 2 runs", "copied 0 runs"} {
		cmd := exec.Command(syncBin, strings.Fields(string(m[1]))...)
		cmd.Dir, cmd.Env = tmp, env
		got, err := cmd.CombinedOutput()
		if err != nil || !strings.HasPrefix(string(got), want) {
			t.Fatalf("sync %d: %v, printed %q, want it to start %q", i+1, err, got, want)
		}
	}
	c := tracking.NewClient(st, "")
	exp, err := st.GetExperimentByName(context.Background(), "offline_sweep")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(context.Background(), exp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs on the server, want 2", len(runs))
	}
	for _, r := range runs {
		if r.Info.Status != store.StatusFinished || len(r.Outputs.Models) != 1 {
			t.Errorf("run %s on the server: %s, %d models", r.Info.RunName, r.Info.Status, len(r.Outputs.Models))
		}
	}
}
