package rest

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options says how to reach and authenticate to a tracking server. The zero
// value talks to a server without authentication, with grove's default
// timeout and retries.
type Options struct {
	// Token is sent as "Authorization: Bearer <Token>".
	Token string
	// Username and Password are sent as HTTP basic authentication; when both
	// are set they win over Token, as in MLflow's own client.
	Username string
	Password string
	// InsecureTLS skips the verification of the server's certificate.
	InsecureTLS bool
	// ServerCertPath names a PEM file of certificate authorities to trust
	// besides the system's, for a server with a certificate from a private CA.
	ServerCertPath string
	// Timeout bounds one attempt of one request, from dialling to the last
	// byte of the answer; an upload gets one more second per MiB on top.
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how many times a failed request is tried again (after a
	// connection error, 429 or 5xx). 0 means DefaultMaxRetries; a negative
	// value turns retries off.
	MaxRetries int
	// Backoff is the wait before the first retry; each further retry waits
	// about twice as long, with jitter, up to MaxBackoff. 0 means
	// DefaultBackoff.
	Backoff time.Duration
	// HTTPClient, when set, sends the requests; InsecureTLS and
	// ServerCertPath are then the caller's business, set on that client's
	// transport.
	HTTPClient *http.Client
}

// Defaults used where Options leaves a field zero. They are deliberately
// shorter than MLflow's (120 s, 7 retries): a training job whose server is
// down should learn it in seconds and keep its model, not wait minutes.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 3
	DefaultBackoff    = 200 * time.Millisecond
	MaxBackoff        = 5 * time.Second
	// dialTimeout bounds connecting, so that an unroutable server fails
	// fast even under a long Timeout.
	dialTimeout = 5 * time.Second
)

// OptionsFromEnv reads the variables MLflow's own client reads:
// MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD,
// MLFLOW_TRACKING_INSECURE_TLS (true/1), MLFLOW_TRACKING_SERVER_CERT_PATH,
// MLFLOW_HTTP_REQUEST_TIMEOUT (seconds)
// and MLFLOW_HTTP_REQUEST_MAX_RETRIES. Unset or unreadable numbers leave the
// defaults.
func OptionsFromEnv() Options {
	return optionsFrom(os.Getenv)
}

func optionsFrom(getenv func(string) string) Options {
	o := Options{
		Token:    getenv("MLFLOW_TRACKING_TOKEN"),
		Username: getenv("MLFLOW_TRACKING_USERNAME"),
		Password: getenv("MLFLOW_TRACKING_PASSWORD"),

		ServerCertPath: getenv("MLFLOW_TRACKING_SERVER_CERT_PATH"),
	}
	switch strings.ToLower(strings.TrimSpace(getenv("MLFLOW_TRACKING_INSECURE_TLS"))) {
	case "true", "1":
		o.InsecureTLS = true
	}
	if v := strings.TrimSpace(getenv("MLFLOW_HTTP_REQUEST_TIMEOUT")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
			o.Timeout = time.Duration(s * float64(time.Second))
		}
	}
	if v := strings.TrimSpace(getenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES")); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			o.MaxRetries = n
			if n == 0 {
				o.MaxRetries = -1 // MLflow's 0 means "no retries"; ours means "default"
			}
		}
	}
	return o
}
