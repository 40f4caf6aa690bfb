package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/stalltest"
	"github.com/grove-ml/grove/tracking/store"
)

// noSleep records the waits between attempts instead of waiting.
type noSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.waits = append(n.waits, d)
	n.mu.Unlock()
	return ctx.Err()
}

func testRun(t *testing.T, ctx context.Context, s *Store) string {
	t.Helper()
	r, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", StartTime: 1767225600000})
	must(t, err)
	return r.Info.RunID
}

// TestRetryLogBatch: the server fails a log-batch twice (once after
// storing it, once by dropping the connection after storing it again), then
// succeeds. The client sends the same bytes each time and every point is
// stored once, as MLflow stores a point sent twice.
func TestRetryLogBatch(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{MaxRetries: 3})
	ns := &noSleep{}
	s.sleep = ns.sleep
	ctx := context.Background()
	runID := testRun(t, ctx, s)
	f.faults = []*fault{
		{endpoint: epLogBatch, times: 1, status: 500, afterApply: true},
		{endpoint: epLogBatch, times: 1, status: 0, afterApply: true},
	}
	var metrics []store.Metric
	for i := range 10 {
		metrics = append(metrics, store.Metric{Key: "loss", Value: 1 / float64(i+1), Timestamp: 1767225601000 + int64(i), Step: int64(i)})
	}
	params := []store.Param{{Key: "n_estimators", Value: "100"}, {Key: "max_depth", Value: "None"}}
	must(t, s.LogBatch(ctx, runID, metrics, params, []store.Tag{{Key: "estimator_name", Value: "RandomForestClassifier"}}))

	bodies := f.bodies[epLogBatch]
	eq(t, "log-batch requests", len(bodies), 3)
	for i := 1; i < len(bodies); i++ {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("attempt %d sent\n%s\nattempt 1 sent\n%s", i+1, bodies[i], bodies[0])
		}
	}
	eq(t, "waits", len(ns.waits), 2)
	eq(t, "points stored", f.pointCount(runID, "loss"), 10)
	hist, err := s.GetMetricHistory(ctx, runID, "loss")
	must(t, err)
	eq(t, "history", hist, metrics)
	r, err := s.GetRun(ctx, runID)
	must(t, err)
	eq(t, "params", r.Data.Params, params)
}

// TestRetryNotIdempotent: requests that MLflow would apply twice are sent
// again only when they surely did not reach the server (the connection
// could not be made, or the server answered 429 or 503).
func TestRetryNotIdempotent(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		fault    fault
		wantErr  bool
		sent     int // requests the server saw
		applied  int // runs created or outputs linked
	}{
		{"create run, 500 after storing", epRunCreate, fault{times: 1, status: 500, afterApply: true}, true, 1, 1},
		{"create run, connection dropped after storing", epRunCreate, fault{times: 1, afterApply: true}, true, 1, 1},
		{"create run, 503 twice", epRunCreate, fault{times: 2, status: 503}, false, 3, 1},
		{"create run, 429", epRunCreate, fault{times: 1, status: 429}, false, 2, 1},
		{"log outputs, 500 after storing", epLogOutputs, fault{times: 1, status: 500, afterApply: true}, true, 1, 1},
		{"log outputs, 502", epLogOutputs, fault{times: 1, status: 502}, true, 1, 0},
		{"log outputs, 503", epLogOutputs, fault{times: 1, status: 503}, false, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			s := f.store(Options{MaxRetries: 3})
			s.sleep = (&noSleep{}).sleep
			ctx := context.Background()
			ft := tt.fault
			ft.endpoint = tt.endpoint
			var err error
			var applied func() int
			switch tt.endpoint {
			case epRunCreate:
				f.faults = []*fault{&ft}
				_, err = s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0"})
				applied = func() int { return len(f.runs) }
			case epLogOutputs:
				runID := testRun(t, ctx, s)
				f.faults = []*fault{&ft}
				err = s.LogOutputs(ctx, runID, []store.ModelIO{{ModelID: "m-1"}})
				applied = func() int { return len(f.runs[runID].outputs) }
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			var re *Error
			// The error must never say a call failed cleanly when the
			// server did carry it out.
			if errors.As(err, &re) && tt.applied > 0 && !re.MaybeApplied {
				t.Errorf("MaybeApplied is false, but the server applied it (%v)", err)
			}
			eq(t, "requests", f.count(tt.endpoint), tt.sent)
			eq(t, "applied", applied(), tt.applied)
		})
	}
}

// dialFailer fails the first n requests as a refused connection would,
// before anything is sent.
type dialFailer struct {
	n    int
	next http.RoundTripper
}

func (d *dialFailer) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.n > 0 {
		d.n--
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return d.next.RoundTrip(r)
}

func TestRetryNotSent(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{MaxRetries: 3, HTTPClient: &http.Client{Transport: &dialFailer{n: 2, next: http.DefaultTransport}}})
	ns := &noSleep{}
	s.sleep = ns.sleep
	id, err := s.CreateExperiment(context.Background(), "exp", "", nil)
	must(t, err)
	eq(t, "experiment id", id, "1")
	eq(t, "requests that arrived", f.count(epExperimentCreate), 1)
	eq(t, "waits", len(ns.waits), 2)
}

func TestRetryBounded(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{MaxRetries: 2})
	ns := &noSleep{}
	s.sleep = ns.sleep
	ctx := context.Background()
	runID := testRun(t, ctx, s)
	f.faults = []*fault{{endpoint: epLogBatch, times: 100, status: 500}}
	err := s.LogBatch(ctx, runID, []store.Metric{{Key: "loss", Value: 1}}, nil, nil)
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *Error", err)
	}
	eq(t, "attempts", re.Attempts, 3)
	eq(t, "status", re.Status, 500)
	eq(t, "requests", f.count(epLogBatch), 3)
	// Waits grow and stay within the jittered exponential bounds.
	eq(t, "waits", len(ns.waits), 2)
	for i, w := range ns.waits {
		b := DefaultBackoff << i
		if w < b/2 || w > b {
			t.Errorf("wait %d = %v, want in [%v, %v]", i+1, w, b/2, b)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{})
	ns := &noSleep{}
	s.sleep = ns.sleep
	f.faults = []*fault{{endpoint: epExperimentGet, times: 1, status: 429, retryAfter: "2"}}
	_, err := s.GetExperiment(context.Background(), "0")
	must(t, err)
	eq(t, "waits", ns.waits, []time.Duration{2 * time.Second})
}

// TestRetryHonoursContext: a server asking to wait does not hold the
// caller past its context, and one asking to wait past the call's deadline
// is given up on at once: the wait would only delay the same failure.
func TestRetryHonoursContext(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		ctxTimeout time.Duration
	}{
		{"context ends during the wait", "2", 100 * time.Millisecond},
		{"wait past the call's deadline", "30", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			s := f.store(Options{})
			f.faults = []*fault{{endpoint: epExperimentGet, times: 10, status: 503, retryAfter: tt.retryAfter}}
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctxTimeout)
			defer cancel()
			_, err := s.GetExperiment(ctx, "0")
			var re *Error
			if !errors.As(err, &re) || re.Status != 503 {
				t.Fatalf("err = %v, want the server's 503", err)
			}
			if bound := min(tt.ctxTimeout, time.Second); re.Waited > bound+time.Second {
				t.Errorf("gave up after %v, want about %v", re.Waited, bound)
			}
			eq(t, "requests", f.count(epExperimentGet), 1)
		})
	}
}

// TestDownServer: with the default options a server that is not there
// fails in a few attempts with one error naming the server and what was
// not logged.
func TestDownServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s, err := New(url, Options{})
	must(t, err)
	defer s.Close()
	done := make(chan error, 1)
	go func() {
		done <- s.LogBatch(context.Background(), "0123456789abcdef0123456789abcdef",
			[]store.Metric{{Key: "a"}, {Key: "b"}, {Key: "c"}}, []store.Param{{Key: "p", Value: "1"}}, nil)
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("LogBatch against a down server did not return in 30s")
	}
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want *Error", err)
	}
	eq(t, "attempts", re.Attempts, DefaultMaxRetries+1)
	eq(t, "status", re.Status, 0)
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Errorf("err = %v does not wrap the connection error", err)
	}
	for _, part := range []string{url, "log 3 metric points and 1 param to run 0123456789abcdef0123456789abcdef", "no answer"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
}

// TestServerGoesAway: a server that stops mid-run turns the next call into
// an error, not a hang.
func TestServerGoesAway(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{MaxRetries: 1, Backoff: time.Millisecond})
	ctx := context.Background()
	runID := testRun(t, ctx, s)
	f.srv.CloseClientConnections()
	f.srv.Close()
	_, err := s.UpdateRun(ctx, runID, store.StatusFinished, 1767225609000, "")
	var re *Error
	if !errors.As(err, &re) || re.Status != 0 || re.Attempts != 2 {
		t.Fatalf("err = %v, want no answer after 2 attempts", err)
	}
	if !strings.Contains(err.Error(), "set run "+runID+" to FINISHED") {
		t.Errorf("error %q does not say what was not logged", err)
	}
}

// TestTimeout: a server that accepts but never answers costs one timeout
// per attempt.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	// The call's deadline is long, so that both attempts fit however slow
	// the machine.
	s, err := New(srv.URL, Options{Timeout: 50 * time.Millisecond, CallTimeout: 10 * time.Second, MaxRetries: 1, Backoff: time.Millisecond})
	must(t, err)
	_, err = s.GetRun(context.Background(), "0123456789abcdef0123456789abcdef")
	var re *Error
	if !errors.As(err, &re) || re.Attempts != 2 || re.Status != 0 {
		t.Fatalf("err = %v, want no answer after 2 attempts", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap the attempt's deadline", err)
	}
}

// TestConcurrentRuns: one store serves several trainers at once; every
// point arrives once, whatever the interleaving and the failures.
func TestConcurrentRuns(t *testing.T) {
	f := newFakeServer(t)
	s := f.store(Options{MaxRetries: 5, Backoff: time.Millisecond})
	ctx := context.Background()
	f.faults = []*fault{{endpoint: epLogBatch, times: 6, status: 503, afterApply: true}}
	const trainers, steps = 4, 25
	ids := make([]string, trainers)
	for i := range ids {
		ids[i] = testRun(t, ctx, s)
	}
	var wg sync.WaitGroup
	errs := make(chan error, trainers)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for step := range steps {
				m := []store.Metric{{Key: "loss", Value: float64(step), Timestamp: int64(step), Step: int64(step)},
					{Key: "acc", Value: 1 - float64(step)/steps, Timestamp: int64(step), Step: int64(step)}}
				if err := s.LogBatch(ctx, id, m, nil, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, id := range ids {
		eq(t, "loss points", f.pointCount(id, "loss"), steps)
		h, err := s.GetMetricHistory(ctx, id, "acc")
		must(t, err)
		eq(t, "acc history", len(h), steps)
	}
	eq(t, "log-batch requests", f.count(epLogBatch), trainers*steps+6)
}

// TestStalledServer: a server that accepts and never answers holds a call
// no longer than the call's deadline, however many retries are allowed,
// and the error names the server, the request and how long it waited.
func TestStalledServer(t *testing.T) {
	url, accepted := stalltest.Server(t)
	opts, err := optionsFrom(func(k string) string {
		return map[string]string{EnvTimeout: "0.2", EnvMaxRetries: "10"}[k]
	})
	must(t, err)
	// A short backoff, so that a retry always fits in the call's remaining
	// 0.2 s; with the default's jitter, the wait may not fit, and the call
	// rightly ends after one attempt, which is not what this test measures.
	opts.Backoff = 10 * time.Millisecond
	s, err := New(url, opts)
	must(t, err)
	defer s.Close()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := s.GetExperimentByName(context.Background(), "iris")
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a stalled server held the call for 30 s")
	}
	elapsed := time.Since(start)
	// The call's deadline is twice the attempt's timeout: 0.4 s. Ten
	// retries of 0.2 s each, with their waits, would take over 10 s.
	if elapsed > 3*time.Second {
		t.Errorf("the call returned after %v, want about 0.4 s", elapsed)
	}
	var re *Error
	if !errors.As(err, &re) || re.Status != 0 {
		t.Fatalf("err = %v, want no answer", err)
	}
	if re.Waited < 300*time.Millisecond || re.Waited > elapsed {
		t.Errorf("Waited = %v, want about 0.4 s (returned after %v)", re.Waited, elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v does not match context.DeadlineExceeded", err)
	}
	if len(accepted) == 0 {
		t.Error("the server never saw a connection")
	}
	msg := err.Error()
	for _, part := range []string{url, "GET " + epExperimentGetByName, "get experiment", "did not answer"} {
		if !strings.Contains(msg, part) {
			t.Errorf("error %q does not say %q", msg, part)
		}
	}
	if !regexp.MustCompile(` in 0\.[3-9] s \(\d+ attempts?\)`).MatchString(msg) {
		t.Errorf("error %q does not say how long it waited", msg)
	}
}

// TestStalledServerInterrupted: cancelling the context (Ctrl-C) ends a call
// to a stalled server at once, under the default timeouts, with an error
// that matches context.Canceled.
func TestStalledServerInterrupted(t *testing.T) {
	url, accepted := stalltest.Server(t)
	s, err := New(url, Options{})
	must(t, err)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.CreateRun(ctx, store.CreateRunRequest{ExperimentID: "0", StartTime: 1767225600000})
		done <- err
	}()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the server")
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the call went on for 5 s after its context was cancelled")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestSlowAnswerKeepsComing: an answer that keeps coming is read to its
// end even past the call's deadline, while one that stops midway fails
// after one timeout of silence.
func TestSlowAnswerKeepsComing(t *testing.T) {
	const pieces = 10
	tests := []struct {
		name    string
		stopAt  int // the piece after which the server goes silent; pieces: never
		wantErr bool
	}{
		{"keeps coming", pieces, false},
		{"stops midway", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				for i := range pieces {
					if i == tt.stopAt {
						<-r.Context().Done()
						return
					}
					w.Write([]byte("0123456789"))
					w.(http.Flusher).Flush()
					time.Sleep(50 * time.Millisecond)
				}
			}))
			defer srv.Close()
			defer srv.CloseClientConnections()
			// 0.2 s of silence fails an attempt, and the call gives up
			// waiting for an answer after 0.4 s; the whole answer takes
			// 0.5 s to come.
			s, err := New(srv.URL, Options{Timeout: 200 * time.Millisecond, MaxRetries: -1})
			must(t, err)
			defer s.Close()
			repo, err := s.Artifacts(context.Background(), "mlflow-artifacts:/1/r/artifacts")
			must(t, err)
			rc, err := repo.Open(context.Background(), "model.bin")
			if tt.wantErr {
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(fmt.Sprint(err), "did not answer") {
					t.Fatalf("err = %v, want the server's silence", err)
				}
				return
			}
			must(t, err)
			b, _ := io.ReadAll(rc)
			eq(t, "bytes", len(b), 10*pieces)
		})
	}
}
