package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

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

// jsonCall describes a request with a JSON body.
func jsonCall(method, endpoint, what string, idempotent bool, body any) (*call, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("rest: could not %s: encoding the request: %v", what, err)
	}
	return &call{method: method, endpoint: endpoint, body: b, ctype: "application/json",
		what: what, idempotent: idempotent}, nil
}
