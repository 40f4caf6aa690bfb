package rest

import (
	"fmt"
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
	// Timeout bounds how long one attempt waits, from dialling, for the
	// answer to begin (an upload gets one more second per MiB on top), and
	// then for each further piece of it, as MLflow's read timeout does: an
	// answer that keeps coming is read to its end. 0 means DefaultTimeout.
	Timeout time.Duration
	// CallTimeout bounds how long one call waits for an answer to begin
	// over all its attempts and the waits between them, so that retries
	// never hold the caller longer, however many are allowed. An upload
	// gets one more second per MiB on top. 0 means twice Timeout.
	CallTimeout time.Duration
	// MaxRetries is how many times a failed request is tried again (after a
	// connection error, 429 or 5xx), within CallTimeout. 0 means
	// DefaultMaxRetries; a negative value turns retries off.
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
// shorter than MLflow's (120 s per attempt, 7 retries with waits growing to
// 2 minutes: a stalled server holds MLflow's client for many minutes): a
// training job whose server is down or stalled should learn it in seconds
// and keep its model. With the defaults a call gives up after at most
// 2 × DefaultTimeout.
const (
	DefaultTimeout    = 10 * time.Second
	DefaultMaxRetries = 3
	DefaultBackoff    = 200 * time.Millisecond
	MaxBackoff        = 5 * time.Second
	// dialTimeout bounds connecting, so that an unroutable server fails
	// fast even under a long Timeout.
	dialTimeout = 5 * time.Second
	// maxRetriesLimit is the most retries MLFLOW_HTTP_REQUEST_MAX_RETRIES
	// may ask for, MLflow's own limit.
	maxRetriesLimit = 10
	// maxTimeoutSeconds bounds MLFLOW_HTTP_REQUEST_TIMEOUT: a day.
	maxTimeoutSeconds = 86400
)

// Names of the environment variables OptionsFromEnv reads, as MLflow's
// client names them.
const (
	EnvTimeout    = "MLFLOW_HTTP_REQUEST_TIMEOUT"
	EnvMaxRetries = "MLFLOW_HTTP_REQUEST_MAX_RETRIES"
)

// OptionsFromEnv reads the variables MLflow's own client reads:
// MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD,
// MLFLOW_TRACKING_INSECURE_TLS (true/1), MLFLOW_TRACKING_SERVER_CERT_PATH,
// MLFLOW_HTTP_REQUEST_TIMEOUT (seconds per attempt, a positive number) and
// MLFLOW_HTTP_REQUEST_MAX_RETRIES (0 to 10, MLflow's limit). Unset
// variables leave the defaults; a number that cannot be read is an error
// naming the variable, not a silent default.
func OptionsFromEnv() (Options, error) {
	return optionsFrom(os.Getenv)
}

func optionsFrom(getenv func(string) string) (Options, error) {
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
	if v := strings.TrimSpace(getenv(EnvTimeout)); v != "" {
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || !(s > 0 && s <= maxTimeoutSeconds) {
			return Options{}, fmt.Errorf("rest: %s must be a number of seconds in (0, %d], got %q", EnvTimeout, maxTimeoutSeconds, v)
		}
		o.Timeout = time.Duration(s * float64(time.Second))
	}
	if v := strings.TrimSpace(getenv(EnvMaxRetries)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxRetriesLimit {
			return Options{}, fmt.Errorf("rest: %s must be an integer in [0, %d], got %q", EnvMaxRetries, maxRetriesLimit, v)
		}
		o.MaxRetries = n
		if n == 0 {
			o.MaxRetries = -1 // MLflow's 0 means "no retries"; ours means "default"
		}
	}
	return o, nil
}
