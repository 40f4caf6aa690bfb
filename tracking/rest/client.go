package rest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

// Store is an MLflow tracking server reached over its REST API. It
// implements store.Store and is safe for concurrent use.
type Store struct {
	base       *url.URL // scheme, host and optional path prefix, no user info
	server     string   // base as written in error messages
	hc         *http.Client
	own        *http.Transport // closed by Close when the store made it
	auth       string          // Authorization header, or ""
	timeout    time.Duration   // one attempt
	callTime   time.Duration   // one call, its retries and waits included
	maxRetries int
	backoff    time.Duration
	// sleep waits between attempts; tests replace it to run without delays.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ store.Store = (*Store)(nil)

// New returns a store that talks to the tracking server at baseURL, an
// http:// or https:// URL, optionally with a path prefix under which the
// server is mounted (https://example.com/mlflow). It sends nothing until
// the first call.
func New(baseURL string, opts Options) (*Store, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		// url's message quotes the URI, which may hold a password.
		return nil, fmt.Errorf("rest: the tracking URI is not a valid URL")
	}
	shown := u.Redacted()
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("rest: tracking URI %q: scheme must be http or https", shown)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("rest: tracking URI %q has no host", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("rest: tracking URI %q: a query or fragment is not allowed", shown)
	}
	// Credentials in the URL are used when the options carry none, and never
	// printed in errors.
	if u.User != nil && opts.Username == "" && opts.Token == "" {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	u.User = nil
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""

	s := &Store{
		base:       u,
		server:     u.String(),
		timeout:    opts.Timeout,
		maxRetries: opts.MaxRetries,
		backoff:    opts.Backoff,
		sleep:      sleepCtx,
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	s.callTime = opts.CallTimeout
	if s.callTime <= 0 {
		s.callTime = 2 * s.timeout
	}
	switch {
	case s.maxRetries == 0:
		s.maxRetries = DefaultMaxRetries
	case s.maxRetries < 0:
		s.maxRetries = 0
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	switch {
	case opts.Username != "" && opts.Password != "":
		s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(opts.Username+":"+opts.Password))
	case opts.Token != "":
		s.auth = "Bearer " + opts.Token
	}
	if opts.HTTPClient != nil {
		s.hc = opts.HTTPClient
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: min(dialTimeout, s.timeout), KeepAlive: 30 * time.Second}).DialContext
		t.MaxIdleConnsPerHost = 8
		if opts.InsecureTLS || opts.ServerCertPath != "" {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: opts.InsecureTLS} //nolint:gosec // asked for by MLFLOW_TRACKING_INSECURE_TLS
		}
		if opts.ServerCertPath != "" {
			pool, err := certPool(opts.ServerCertPath)
			if err != nil {
				return nil, err
			}
			t.TLSClientConfig.RootCAs = pool
		}
		s.own = t
		s.hc = &http.Client{Transport: t}
	}
	return s, nil
}

// certPool is the system's certificate authorities plus those in the PEM
// file at path.
func certPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rest: server certificate: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("rest: server certificate %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// Close releases idle connections. The store must not be used afterwards.
func (s *Store) Close() error {
	if s.own != nil {
		s.own.CloseIdleConnections()
	}
	return nil
}

// Server returns the base URL the store talks to, without credentials.
func (s *Store) Server() string { return s.server }

// Error is a request that failed: the server answered with an error, or could
// not be reached in the attempts allowed. Err is a *store.Error when the
// server answered with MLflow's {error_code, message}, so that
// errors.Is(err, store.ErrNotFound) and the like hold.
type Error struct {
	Server   string // the tracking server's base URL
	Method   string
	Endpoint string // the API path, e.g. /api/2.0/mlflow/runs/log-batch
	What     string // what the request was for, e.g. "log 3 metrics to run 1a2b..."
	Status   int    // the HTTP status; 0 when no answer came
	Attempts int    // how many times the request was sent
	// Waited is the time from the first attempt to the failure, the waits
	// between attempts included.
	Waited time.Duration
	// MaybeApplied is set when a request that is not safe to repeat may
	// have been carried out before the failure (the connection broke after
	// sending it, or the server failed while handling it): a run or
	// experiment may exist although the call failed.
	MaybeApplied bool
	Err          error
}

func (e *Error) Error() string {
	var msg string
	switch {
	case e.Status == 0 && errors.Is(e.Err, context.Canceled):
		msg = fmt.Sprintf("rest: could not %s: interrupted after %s waiting for %s (%s %s): %v",
			e.What, seconds(e.Waited), e.Server, e.Method, e.Endpoint, e.Err)
	case e.Status == 0:
		msg = fmt.Sprintf("rest: could not %s: no answer from %s to %s %s in %s (%s): %v",
			e.What, e.Server, e.Method, e.Endpoint, seconds(e.Waited), count(e.Attempts, "attempt"), e.Err)
	default:
		msg = fmt.Sprintf("rest: could not %s: %s %s%s answered %d: %v",
			e.What, e.Method, e.Server, e.Endpoint, e.Status, e.Err)
	}
	if e.MaybeApplied {
		msg += " (the server may have done it before failing)"
	}
	return msg
}

// Unwrap returns the cause: a *store.Error, a transport error or the
// context's error.
func (e *Error) Unwrap() error { return e.Err }

// seconds writes d for people, to a tenth of a second: "20 s", "0.4 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + " s"
}

// stalled is an attempt that got no answer in the time it was given: the
// server accepted the connection, or the request, and said nothing. It
// matches context.DeadlineExceeded, the cause underneath.
type stalled struct{ attempt, call time.Duration } // the store's limits

func (e *stalled) Error() string {
	return fmt.Sprintf("the server did not answer (grove waits at most %s an attempt and %s a call)",
		seconds(e.attempt), seconds(e.call))
}

func (e *stalled) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true, as net.Error's timeouts do.
func (e *stalled) Timeout() bool { return true }

// call is one API request, described once and sent as many times as needed.
type call struct {
	method   string
	endpoint string // path under the base URL
	query    url.Values
	body     []byte // JSON, or the bytes of an upload
	upload   io.ReadSeeker
	ctype    string
	what     string
	// idempotent: sending the request twice leaves the server as sending it
	// once, so a request that may have reached the server can be retried.
	idempotent bool
}

// maxBody bounds what is read from one answer.
const maxBody = 1 << 30

// minRate is the slowest link, in bytes per second, that an upload is given
// time for beyond Options.Timeout.
const minRate = 1 << 20

// do sends c, retrying as allowed, and decodes a successful JSON answer into
// out (nil: ignore it).
func (s *Store) do(ctx context.Context, c *call, out any) error {
	_, err := s.send(ctx, c, out)
	return err
}

// send is do that also returns the answer's bytes. The call waits for an
// answer to begin at most the store's call timeout, over all its attempts
// and the waits between them; an answer that keeps coming is read to its
// end. A cancelled ctx (Ctrl-C) ends the call at once.
func (s *Store) send(ctx context.Context, c *call, out any) ([]byte, error) {
	start := time.Now()
	// A big upload gets time to travel on top of both timeouts, as if the
	// link carried at least minRate; a small request is bound by them alone.
	travel := s.allowance(c)
	deadline := start.Add(s.callTime + travel)
	fail := func(status, attempts int, err error) *Error {
		return &Error{Server: s.server, Method: c.method, Endpoint: c.endpoint, What: c.what,
			Status: status, Attempts: attempts, Waited: time.Since(start), Err: err}
	}
	for attempt := 1; ; attempt++ {
		body, status, retryAfter, err := s.attempt(ctx, c, min(s.timeout+travel, time.Until(deadline)))
		if err == nil && status/100 == 2 {
			if out != nil && len(bytes.TrimSpace(body)) > 0 {
				if err := json.Unmarshal(body, out); err != nil {
					return nil, fail(status, attempt, fmt.Errorf("unreadable answer: %v", err))
				}
			}
			return body, nil
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, fail(0, attempt, ctx.Err())
		}
		var retry bool
		switch {
		case err != nil && status != 0:
			// An answer came but cannot be used; asking again will not help.
		case err != nil:
			retry = retryableTransport(err) && (c.idempotent || notSent(err))
		default:
			err = statusError(status, body, s.base.Host)
			retry = retryableStatus(status) && (c.idempotent ||
				status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable)
		}
		var wait time.Duration
		if retry && attempt <= s.maxRetries {
			wait = s.delay(attempt, retryAfter)
			// A wait that would end past the call's deadline, or the
			// caller's, only delays the same failure.
			if dl, ok := ctx.Deadline(); time.Until(deadline) <= wait || ok && time.Until(dl) <= wait {
				retry = false
			}
		}
		if !retry || attempt > s.maxRetries {
			e := fail(status, attempt, err)
			e.MaybeApplied = !c.idempotent && ((status == 0 && !notSent(err)) ||
				(status >= 500 && status != http.StatusServiceUnavailable))
			return nil, e
		}
		if serr := s.sleep(ctx, wait); serr != nil {
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, fail(0, attempt, ctx.Err())
			}
			return nil, fail(status, attempt, err)
		}
	}
}

// allowance is the time an upload is given to travel on top of the
// timeouts, as if the link carried at least minRate.
func (s *Store) allowance(c *call) time.Duration {
	if c.upload == nil && c.body == nil {
		return 0
	}
	n := int64(len(c.body))
	if c.upload != nil {
		if end, err := c.upload.Seek(0, io.SeekEnd); err == nil {
			n = end
		}
	}
	return time.Duration(n/minRate) * time.Second
}

// attempt sends c once. A transport failure is returned as err with status 0.
// The answer must begin within first (the store's timeout plus an upload's
// travel time, or the call's remaining time when that is shorter); then each
// piece of it must follow the last within the timeout, so a long download
// that keeps coming is not cut while a stalled one is.
func (s *Store) attempt(ctx context.Context, c *call, first time.Duration) (body []byte, status int, retryAfter time.Duration, err error) {
	u := *s.base
	u.Path = s.base.Path + c.endpoint
	if c.query != nil {
		u.RawQuery = c.query.Encode()
	}
	var rd io.Reader
	var length int64
	switch {
	case c.upload != nil:
		n, err := c.upload.Seek(0, io.SeekEnd)
		if err == nil {
			_, err = c.upload.Seek(0, io.SeekStart)
		}
		if err != nil {
			return nil, 0, 0, fmt.Errorf("rewinding upload: %w", err)
		}
		rd, length = io.NopCloser(c.upload), n
	case c.body != nil:
		rd, length = bytes.NewReader(c.body), int64(len(c.body))
	}
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	var silent atomic.Bool
	watchdog := time.AfterFunc(max(first, 0), func() {
		silent.Store(true)
		cancel()
	})
	defer watchdog.Stop()
	// An attempt that ran out of time says so in words, rather than as the
	// transport's "context deadline exceeded"; so does one cut by the
	// caller's deadline.
	timedOut := func(err error) error {
		if silent.Load() || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &stalled{attempt: s.timeout, call: s.callTime}
		}
		return err
	}
	req, err := http.NewRequestWithContext(actx, c.method, u.String(), rd)
	if err != nil {
		return nil, 0, 0, err
	}
	if rd != nil {
		req.ContentLength = length
		if length == 0 {
			req.Body = http.NoBody
		}
		req.Header.Set("Content-Type", c.ctype)
	}
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	req.Header.Set("User-Agent", "grove")
	resp, err := s.hc.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL that *Error already names.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, 0, 0, timedOut(err)
	}
	defer resp.Body.Close()
	if !watchdog.Stop() {
		return nil, 0, 0, timedOut(context.DeadlineExceeded)
	}
	watchdog.Reset(s.timeout)
	body, err = io.ReadAll(io.LimitReader(&flowing{r: resp.Body, watchdog: watchdog, idle: s.timeout}, maxBody+1))
	if err != nil {
		// The answer was cut: for a write we cannot know whether it landed.
		return nil, 0, 0, timedOut(err)
	}
	if len(body) > maxBody {
		return nil, resp.StatusCode, 0, fmt.Errorf("the answer is over %d bytes", maxBody)
	}
	return body, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")), nil
}

// flowing reads an answer and gives the watchdog more time after each piece.
type flowing struct {
	r        io.Reader
	watchdog *time.Timer
	idle     time.Duration
}

func (f *flowing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 {
		f.watchdog.Reset(f.idle)
	}
	return n, err
}

// statusError turns a non-2xx answer into an error: MLflow's JSON errors
// become *store.Error, anything else (a proxy's HTML page, the server's
// Host check) a plain error quoting the start of the body.
func statusError(status int, body []byte, host string) error {
	var w wError
	if json.Unmarshal(body, &w) == nil && w.ErrorCode != "" {
		return &store.Error{Code: w.ErrorCode, Message: w.Message}
	}
	text := strings.TrimSpace(string(body))
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	switch {
	case status == http.StatusForbidden && strings.Contains(text, "Invalid Host header"):
		return fmt.Errorf("the server refuses the Host header %q (%s); start it with --allowed-hosts including %q",
			host, text, host)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%s (%s); check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD",
			http.StatusText(status), text)
	case status == http.StatusNotFound:
		// Not an MLflow error body, but still a missing thing: callers match
		// it with errors.Is(err, store.ErrNotFound).
		return &store.Error{Code: store.CodeNotFound, Message: orStatus(text, status)}
	}
	return errors.New(orStatus(text, status))
}

func orStatus(text string, status int) string {
	if text == "" {
		return http.StatusText(status)
	}
	return text
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableTransport reports whether a transport error may pass: a refused
// or reset connection or a timeout may, a certificate the client rejects
// will not.
func retryableTransport(err error) bool {
	var cert *tls.CertificateVerificationError
	return !errors.As(err, &cert) && !strings.Contains(err.Error(), "x509:")
}

// notSent reports whether a transport error happened before the request
// could reach the server (dialling or resolving failed), so that even a
// request that is not idempotent can be sent again without being applied
// twice.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// delay is the wait before retry number attempt (1, 2, ...): exponential,
// capped, with jitter so that many trainers hitting one recovering server
// do not retry in step. A server's Retry-After wins when it asks for longer,
// up to a bound so that a call never waits without end.
func (s *Store) delay(attempt int, retryAfter time.Duration) time.Duration {
	b := s.backoff << (attempt - 1)
	if b > MaxBackoff || b <= 0 {
		b = MaxBackoff
	}
	d := b/2 + rand.N(b/2+1)
	if retryAfter > d {
		d = min(retryAfter, 6*MaxBackoff)
	}
	return d
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jsonCall describes a request with a JSON body.
func jsonCall(method, endpoint, what string, idempotent bool, body any) (*call, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("rest: could not %s: encoding the request: %v", what, err)
	}
	return &call{method: method, endpoint: endpoint, body: b, ctype: "application/json",
		what: what, idempotent: idempotent}, nil
}
