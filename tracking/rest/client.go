package rest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
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
