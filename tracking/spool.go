package tracking

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/grove-ml/grove/tracking/rest"
)

// EnvSpool names the folder of the spool, grove's local store for runs
// recorded while their tracking server cannot be reached; "off" turns
// spooling off, for those who prefer a hard failure.
const EnvSpool = "GROVE_SPOOL"

// ErrSpoolOff is returned by SpoolURI when GROVE_SPOOL is "off".
var ErrSpoolOff = errors.New("tracking: the spool is off (" + EnvSpool + "=off)")

// SpoolURI returns the tracking URI of the spool: mlflow.db in the folder
// $GROVE_SPOOL, else in grove/spool under the user's cache folder
// (os.UserCacheDir: ~/.cache on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows). It fails with ErrSpoolOff when GROVE_SPOOL
// is "off".
func SpoolURI() (string, error) {
	dir := strings.TrimSpace(os.Getenv(EnvSpool))
	switch strings.ToLower(dir) {
	case "off", "false", "0", "no":
		return "", ErrSpoolOff
	case "":
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("tracking: spool folder: %w; name one with %s", err, EnvSpool)
		}
		dir = filepath.Join(cache, "grove", "spool")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("tracking: spool folder %s: %w", dir, err)
	}
	return "sqlite:///" + filepath.ToSlash(filepath.Join(abs, "mlflow.db")), nil
}

// OpenSpool opens the spool named by SpoolURI, creating its folder and
// database when missing.
func OpenSpool(ctx context.Context) (*Client, error) {
	uri, err := SpoolURI()
	if err != nil {
		return nil, err
	}
	loc, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(loc.Path), 0o755); err != nil {
		return nil, fmt.Errorf("tracking: spool folder: %w", err)
	}
	return Open(ctx, uri)
}

// Unreachable reports whether err says that a tracking server could not be
// reached: no answer at all, or a gateway's 502, 503 or 504 in its stead.
// An interruption (a cancelled context) is not.
func Unreachable(err error) bool {
	var re *rest.Error
	if !errors.As(err, &re) || errors.Is(err, context.Canceled) {
		return false
	}
	return re.Status == 0 || re.Status == 502 || re.Status == 503 || re.Status == 504
}

// SyncCommand returns the command that sends the runs of the store at from
// on to the store at to. Credentials in to's URI are left out, so that the
// line can be shown; cmd/sync takes them from MLflow's variables, as every
// grove command does.
func SyncCommand(from, to string) string {
	if u, err := url.Parse(to); err == nil && u.User != nil {
		u.User = nil
		to = u.String()
	}
	return "go run ./cmd/sync -from " + from + " -to " + to
}
