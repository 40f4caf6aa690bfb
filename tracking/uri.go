package tracking

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// DefaultURI is the store grove uses when neither the caller nor
// $MLFLOW_TRACKING_URI names one: MLflow's own default since 3.7, a SQLite
// file mlflow.db in the working directory.
const DefaultURI = "sqlite:///mlflow.db"

// EnvTrackingURI is the environment variable MLflow reads the tracking URI from.
const EnvTrackingURI = "MLFLOW_TRACKING_URI"

// Kind says which store a tracking URI selects.
type Kind int

// The kinds of store grove opens.
const (
	KindSQLite Kind = iota + 1 // MLflow's SQLite schema, written directly
	KindREST                   // an MLflow tracking server over HTTP(S)
)

func (k Kind) String() string {
	switch k {
	case KindSQLite:
		return "sqlite"
	case KindREST:
		return "rest"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Location is a parsed tracking URI.
type Location struct {
	Kind Kind
	// Path is the database file for KindSQLite, as written in the URI:
	// relative paths are relative to the working directory.
	Path string
	// URL is the server's base URL for KindREST, without a trailing slash.
	URL string
}

// Sentinels for URIs grove cannot open; match them with errors.Is.
var (
	// ErrFileStore is returned for file: URIs and plain folders: MLflow's
	// legacy file store, which MLflow itself no longer writes by default.
	ErrFileStore = errors.New("tracking: MLflow's legacy file store is not supported")
	// ErrUnsupportedURI is returned for schemes grove has no store for.
	ErrUnsupportedURI = errors.New("tracking: unsupported tracking URI")
)

// ResolveURI returns the URI Open would use for uri: uri itself when not
// empty, else $MLFLOW_TRACKING_URI when set, else DefaultURI.
func ResolveURI(uri string) string {
	if strings.TrimSpace(uri) != "" {
		return uri
	}
	if env := strings.TrimSpace(os.Getenv(EnvTrackingURI)); env != "" {
		return env
	}
	return DefaultURI
}

// ParseURI parses a tracking URI as MLflow spells it:
//
//	sqlite:///mlflow.db            a file relative to the working directory
//	sqlite:////abs/path/mlflow.db  an absolute path (four slashes)
//	http://host:5000, https://...  an MLflow tracking server
//
// A file: URI or a plain folder is refused with ErrFileStore; any other
// scheme with ErrUnsupportedURI. ParseURI does not read the environment;
// see ResolveURI.
func ParseURI(uri string) (Location, error) {
	if uri == "" {
		return Location{}, unsupported("", "empty URI (use %s)", DefaultURI)
	}
	scheme, rest, hasScheme := splitScheme(uri)
	if isDatabricks(uri, scheme) {
		return Location{}, unsupported(Redact(uri), "Databricks workspaces are not supported; "+supported)
	}
	if !hasScheme {
		return Location{}, fileStoreError(uri)
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		return parseSQLite(uri, rest)
	case "http", "https":
		return parseHTTP(uri)
	case "file":
		return Location{}, fileStoreError(uri)
	}
	return Location{}, unsupported(Redact(uri), "scheme %q is not supported; "+supported, scheme)
}

// supported says which URIs grove opens, for messages.
const supported = "grove records to sqlite:///relative/path.db, sqlite:////absolute/path.db, http://host:port or https://host:port"

// isDatabricks reports whether uri names a Databricks workspace as MLflow
// spells one: databricks, databricks://<profile>, or the registry's
// databricks-uc.
func isDatabricks(uri, scheme string) bool {
	switch strings.ToLower(uri) {
	case "databricks", "databricks-uc":
		return true
	}
	switch strings.ToLower(scheme) {
	case "databricks", "databricks-uc":
		return true
	}
	return false
}

// splitScheme splits "scheme:rest" when the text before the first colon is
// a URI scheme of two or more characters; a single letter is a Windows drive
// (C:\runs), which is a plain folder.
func splitScheme(uri string) (scheme, rest string, ok bool) {
	i := strings.IndexByte(uri, ':')
	if i < 2 {
		return "", uri, false
	}
	for j := 0; j < i; j++ {
		c := uri[j]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (j == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", uri, false
		}
	}
	return uri[:i], uri[i+1:], true
}

func fileStoreError(uri string) error {
	return &URIError{URI: uri, Err: ErrFileStore, Reason: fmt.Sprintf("MLflow's legacy file store (a file: URI or a folder) is not supported; "+
		"grove writes MLflow's SQLite store instead: use %s (or sqlite:////absolute/path/mlflow.db) or an MLflow server (http://host:5000); "+
		"MLflow itself refuses file stores unless MLFLOW_ALLOW_FILE_STORE=true", DefaultURI)}
}

// unsupported is a URIError for a URI grove has no store for.
func unsupported(uri, format string, args ...any) error {
	return &URIError{URI: uri, Err: ErrUnsupportedURI, Reason: fmt.Sprintf(format, args...)}
}

// URIError is a tracking URI grove cannot open. Err is ErrFileStore or
// ErrUnsupportedURI, which errors.Is matches.
type URIError struct {
	URI    string // as given, without a password; empty when it cannot be shown
	Reason string // why it cannot be opened, naming what can
	Err    error
	// From names the environment variable the URI came from; empty when
	// the caller gave it.
	From string
}

func (e *URIError) Error() string {
	msg := "tracking: "
	if e.Err == ErrUnsupportedURI {
		msg += "unsupported "
	}
	msg += "tracking URI"
	if e.URI != "" {
		msg += fmt.Sprintf(" %q", e.URI)
	}
	if e.From != "" {
		msg += " (from $" + e.From + ")"
	}
	return msg + ": " + e.Reason
}

// Unwrap returns ErrFileStore or ErrUnsupportedURI.
func (e *URIError) Unwrap() error { return e.Err }

func parseSQLite(uri, rest string) (Location, error) {
	if !strings.HasPrefix(rest, "///") {
		return Location{}, unsupported(uri, "a SQLite URI is sqlite:///relative.db or sqlite:////absolute/path.db")
	}
	path := rest[len("///"):]
	switch {
	case path == "":
		return Location{}, unsupported(uri, "no database file named")
	case path == ":memory:":
		return Location{}, unsupported(uri, "an in-memory database would lose the run when the program ends")
	case strings.ContainsAny(path, "?#"):
		return Location{}, unsupported(uri, "query strings and fragments are not supported")
	case strings.ContainsRune(path, 0):
		return Location{}, unsupported(uri, "the path holds a NUL byte")
	case strings.HasSuffix(path, "/"):
		return Location{}, unsupported(uri, "the path names a folder, not a database file")
	}
	return Location{Kind: KindSQLite, Path: path}, nil
}

func parseHTTP(uri string) (Location, error) {
	u, err := url.Parse(uri)
	if err != nil {
		// url's own message quotes the URI, which may hold a password.
		return Location{}, unsupported("", "%s is not a valid URL", redactedPrefix(uri))
	}
	shown := u.Redacted()
	if u.Host == "" {
		return Location{}, unsupported(shown, "no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Location{}, unsupported(shown, "query strings and fragments are not supported")
	}
	return Location{Kind: KindREST, URL: strings.TrimRight(uri, "/")}, nil
}

// redactedPrefix names an unparsable http(s) URI by its scheme only, since
// anything after it may be a credential.
func redactedPrefix(uri string) string {
	scheme, _, _ := splitScheme(uri)
	return fmt.Sprintf("a %s URI", strings.ToLower(scheme))
}

// Redact returns uri with any password replaced by "xxxxx", for messages.
func Redact(uri string) string {
	if u, err := url.Parse(uri); err == nil && u.User != nil {
		return u.Redacted()
	}
	return uri
}
