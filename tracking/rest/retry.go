package rest

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

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
