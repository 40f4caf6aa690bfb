package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/artifact"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/store"
)

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingLine = regexp.MustCompile(`at (http://\S+)`)

// start runs the command with args on a free port and returns its URL and
// a function that stops it and returns run's error and output.
func start(t *testing.T, args ...string) (url string, stop func() (error, string, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-port", "0"}, args...), &stdout, &stderr) }()
	deadline := time.Now().Add(10 * time.Second)
	for url == "" {
		if m := servingLine.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("server ended before serving: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("server did not print its URL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	var result error
	stop = func() (error, string, string) {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result, stdout.String(), stderr.String()
	}
	t.Cleanup(func() { stop() })
	return url, stop
}

func TestServeRecordAndStop(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mlflow.db")
	url, stop := start(t, "-backend-store-uri", "sqlite:///"+db, "-artifacts-destination", filepath.Join(dir, "mlruns"))
	resp, err := http.Get(url + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/health: %v %v", resp, err)
	}
	resp.Body.Close()

	ctx := context.Background()
	c, err := tracking.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetOrCreateExperiment(ctx, "served")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.StartRun(ctx, exp.ID, tracking.RunOptions{Name: "over-http"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LogMetrics(ctx, map[string]float64{"acc": 0.9}, 0); err != nil {
		t.Fatal(err)
	}
	if err := r.End(ctx, store.StatusFinished); err != nil {
		t.Fatal(err)
	}
	c.Close()

	err, stdout, stderr := stop()
	if err != nil || !strings.Contains(stdout, "server: stopped") || stderr != "" {
		t.Fatalf("stop: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	// The run is in the database, readable once the server is gone.
	direct, err := tracking.Open(ctx, "sqlite:///"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	got, err := direct.Store().GetRun(ctx, r.ID())
	if err != nil || got.Info.Status != store.StatusFinished || len(got.Data.Metrics) != 1 {
		t.Fatalf("run after the server stopped: %+v, %v", got, err)
	}
}

func TestHostHeaderAndWarning(t *testing.T) {
	dir := t.TempDir()
	url, stop := start(t, "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "m.db"), "-artifacts-destination", dir, "-allowed-hosts", "mlflow.example.com")
	for host, want := range map[string]int{"evil.example.net": 403, "mlflow.example.com": 200, "localhost": 200} {
		req, _ := http.NewRequest("GET", url+"/version", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	_, _, stderr := stop()
	if stderr != "" {
		t.Errorf("loopback without auth warned: %s", stderr)
	}
	_, stop = start(t, "-host", "0.0.0.0", "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "m.db"), "-artifacts-destination", dir)
	if _, _, stderr := stop(); !strings.Contains(stderr, "warning: listening on 0.0.0.0 without -auth-file") {
		t.Errorf("no warning for a public address without auth: %q", stderr)
	}
}

func TestFailures(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	notADB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notADB, []byte("not a database"), 0o644)
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"busy-port", []string{"-port", itoa(port)}, 2, "is in use"},
		{"bad-uri", []string{"-port", "0", "-backend-store-uri", "postgresql://db/mlflow"}, 1, "-backend-store-uri"},
		{"not-a-database", []string{"-port", "0", "-backend-store-uri", "sqlite:///" + notADB}, 1, "-backend-store-uri"},
		{"bad-port", []string{"-port", "70000"}, 2, "-port must be in [0, 65535], got 70000"},
		{"missing-auth-file", []string{"-port", "0", "-auth-file", filepath.Join(dir, "none")}, 2, "-auth-file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append(tt.args, "-artifacts-destination", dir), &stdout, &stderr)
			var line bytes.Buffer
			code := command.Exit(err, &line)
			if code != tt.status || strings.Count(line.String(), "\n") != 1 || !strings.Contains(line.String(), tt.want) {
				t.Errorf("exit %d, want %d; stderr %q should be one line with %q", code, tt.status, line.String(), tt.want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// slowBody sends half an upload, waits for release, then sends the rest.
type slowBody struct {
	sent    int
	release chan struct{}
	started chan struct{}
}

func (b *slowBody) Read(p []byte) (int, error) {
	switch {
	case b.sent == 0:
		close(b.started)
	case b.sent == 512:
		<-b.release
	case b.sent >= 1024:
		return 0, io.EOF
	}
	n := min(len(p), 512)
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.sent += n
	return n, nil
}

// TestShutdownLetsRequestsFinish stops the server while an upload is half
// sent: the upload completes, then the command returns.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	dir := t.TempDir()
	url, stop := start(t, "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "mlflow.db"), "-artifacts-destination", filepath.Join(dir, "mlruns"))
	body := &slowBody{release: make(chan struct{}), started: make(chan struct{})}
	req, err := http.NewRequest("PUT", url+"/api/2.0/mlflow-artifacts/artifacts/0/slow.bin", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 1024
	got := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-body.started
	time.Sleep(50 * time.Millisecond) // let the server start reading
	stopped := make(chan error, 1)
	go func() {
		err, _, _ := stop()
		stopped <- err
	}()
	select {
	case err := <-stopped:
		t.Fatalf("the server stopped before the upload finished: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(body.release)
	if code := <-got; code != 200 {
		t.Errorf("the upload in flight got %d", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mlruns", "0", "slow.bin")); err != nil || len(b) != 1024 {
		t.Errorf("the upload landed as %d bytes, %v", len(b), err)
	}
}

// TestNoServeArtifacts shows artifact locations as local paths and turns
// the artifact proxy off, as mlflow server --no-serve-artifacts does.
func TestNoServeArtifacts(t *testing.T) {
	dir := t.TempDir()
	url, _ := start(t, "-serve-artifacts=false", "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "mlflow.db"), "-artifacts-destination", filepath.Join(dir, "mlruns"))
	resp, err := http.Get(url + "/api/2.0/mlflow/experiments/get?experiment_id=0")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `"artifact_location":"` + filepath.Join(dir, "mlruns", "0") + `"`; !strings.Contains(string(b), want) {
		t.Errorf("experiment 0: %s; want %s", b, want)
	}
	resp, err = http.Get(url + "/api/2.0/mlflow-artifacts/artifacts?path=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("artifact proxy without -serve-artifacts: %d", resp.StatusCode)
	}
}

// TestAuthFile needs credentials for every request; grove's client sends
// them from MLflow's variables.
func TestAuthFile(t *testing.T) {
	dir := t.TempDir()
	auth := filepath.Join(dir, "team.htpasswd")
	// alice:s3cret, bcrypt cost 4.
	if err := os.WriteFile(auth, []byte("alice:$2a$04$ko79t3.sSImBFlECkRVHAOLemp8iVssbArElcGMIyrwJXZ6lPJvGK\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url, _ := start(t, "-auth-file", auth, "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "mlflow.db"), "-artifacts-destination", filepath.Join(dir, "mlruns"))
	resp, err := http.Get(url + "/api/2.0/mlflow/experiments/get?experiment_id=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without credentials: %d", resp.StatusCode)
	}
	ctx := context.Background()
	t.Setenv("MLFLOW_TRACKING_USERNAME", "alice")
	t.Setenv("MLFLOW_TRACKING_PASSWORD", "s3cret")
	c, err := tracking.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetOrCreateExperiment(ctx, "locked"); err != nil {
		t.Errorf("with MLflow's credential variables: %v", err)
	}
	t.Setenv("MLFLOW_TRACKING_PASSWORD", "wrong")
	bad, err := tracking.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.GetOrCreateExperiment(ctx, "locked"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("with a wrong password: %v", err)
	}
}

// TestServesUI checks that the web UI answers at / beside the API, behind
// the same Host check.
func TestServesUI(t *testing.T) {
	dir := t.TempDir()
	url, _ := start(t, "-backend-store-uri", "sqlite:///"+filepath.Join(dir, "mlflow.db"), "-artifacts-destination", filepath.Join(dir, "mlruns"))
	get := func(path, host string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url+path, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	tests := []struct {
		path, host string
		status     int
		ctype      string
		has        string
	}{
		{"/", "", 200, "text/html", `<a href="/experiments/0">`},
		{"/experiments/0", "", 200, "text/html", "No runs in this experiment yet"},
		{"/static/app.js", "", 200, "text/javascript", "compare"},
		{"/api/2.0/mlflow/experiments/get?experiment_id=0", "", 200, "application/json", `"name":"Default"`},
		{"/ajax-api/2.0/mlflow/experiments/get?experiment_id=0", "", 200, "application/json", `"name":"Default"`},
		{"/api/2.0/mlflow/no-such-endpoint", "", 404, "application/json", "ENDPOINT_NOT_FOUND"},
		{"/health", "", 200, "text/plain", "OK"},
		{"/", "evil.example", 403, "text/plain", "DNS rebinding"},
	}
	for _, tt := range tests {
		resp, body := get(tt.path, tt.host)
		if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(body, tt.has) {
			t.Errorf("GET %s (Host %q): %d %s, want %d %s containing %q:\n%.300s", tt.path, tt.host, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.ctype, tt.has, body)
		}
	}
}

// TestServesProxiedArtifacts opens a database MLflow's own server wrote in
// proxy mode, whose runs keep mlflow-artifacts:/ locations: the API and the
// UI both find the files under -artifacts-destination.
func TestServesProxiedArtifacts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, root := filepath.Join(dir, "mlflow.db"), filepath.Join(dir, "mlartifacts")
	st, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := st.CreateExperiment(ctx, "proxied", "mlflow-artifacts:/7", nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.CreateRun(ctx, store.CreateRunRequest{ExperimentID: exp, RunName: "logged through mlflow server"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := artifact.NewLocal(filepath.Join(root, "7", run.Info.RunID, "artifacts")).Put(ctx, "notes.txt", strings.NewReader("proxied notes\n")); err != nil {
		t.Fatal(err)
	}
	url, _ := start(t, "-backend-store-uri", "sqlite:///"+db, "-artifacts-destination", root)
	for _, tt := range []struct{ path, has string }{
		{"/api/2.0/mlflow/artifacts/list?run_id=" + run.Info.RunID, `"path":"notes.txt"`},
		{"/runs/" + run.Info.RunID + "/artifacts?path=notes.txt", "proxied notes"},
		{"/runs/" + run.Info.RunID + "/artifact?path=notes.txt", "proxied notes"},
	} {
		resp, err := http.Get(url + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), tt.has) {
			t.Errorf("GET %s: %d, want 200 with %q:\n%.400s", tt.path, resp.StatusCode, tt.has, b)
		}
	}
}
