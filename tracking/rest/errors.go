package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/store"
)

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
