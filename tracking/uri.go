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
		return Location{}, fmt.Errorf("%w: empty URI (use %s)", ErrUnsupportedURI, DefaultURI)
	}
	scheme, rest, hasScheme := splitScheme(uri)
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
	return Location{}, fmt.Errorf("%w %q: scheme %q is not one of sqlite, http, https", ErrUnsupportedURI, uri, scheme)
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
	return fmt.Errorf("%w: %q is a file store location; grove writes MLflow's SQLite store instead: "+
		"use %s (or sqlite:////absolute/path/mlflow.db) or an MLflow server (http://host:5000); "+
		"MLflow itself refuses file stores unless MLFLOW_ALLOW_FILE_STORE=true", ErrFileStore, uri, DefaultURI)
}

func parseSQLite(uri, rest string) (Location, error) {
	if !strings.HasPrefix(rest, "///") {
		return Location{}, fmt.Errorf("%w %q: a SQLite URI is sqlite:///relative.db or sqlite:////absolute/path.db", ErrUnsupportedURI, uri)
	}
	path := rest[len("///"):]
	switch {
	case path == "":
		return Location{}, fmt.Errorf("%w %q: no database file named", ErrUnsupportedURI, uri)
	case path == ":memory:":
		return Location{}, fmt.Errorf("%w %q: an in-memory database would lose the run when the program ends", ErrUnsupportedURI, uri)
	case strings.ContainsAny(path, "?#"):
		return Location{}, fmt.Errorf("%w %q: query strings and fragments are not supported", ErrUnsupportedURI, uri)
	case strings.ContainsRune(path, 0):
		return Location{}, fmt.Errorf("%w %q: the path holds a NUL byte", ErrUnsupportedURI, uri)
	case strings.HasSuffix(path, "/"):
		return Location{}, fmt.Errorf("%w %q: the path names a folder, not a database file", ErrUnsupportedURI, uri)
	}
	return Location{Kind: KindSQLite, Path: path}, nil
}

func parseHTTP(uri string) (Location, error) {
	u, err := url.Parse(uri)
	if err != nil {
		// url's own message quotes the URI, which may hold a password.
		return Location{}, fmt.Errorf("%w: %s is not a valid URL", ErrUnsupportedURI, redactedPrefix(uri))
	}
	shown := u.Redacted()
	if u.Host == "" {
		return Location{}, fmt.Errorf("%w %q: no host", ErrUnsupportedURI, shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Location{}, fmt.Errorf("%w %q: query strings and fragments are not supported", ErrUnsupportedURI, shown)
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
