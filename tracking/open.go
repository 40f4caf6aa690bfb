package tracking

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/grove-ml/grove/tracking/rest"
	"github.com/grove-ml/grove/tracking/sqlstore"
)

// Open opens the store a tracking URI names and returns a client over it.
// An empty uri means $MLFLOW_TRACKING_URI, and when that is unset
// sqlite:///mlflow.db in the working directory, as MLflow 3.7 and later
// choose. A SQLite database is created with MLflow's schema when missing;
// its artifacts go to ./mlruns beside it. An http(s) server is reached with
// the credentials in MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and
// MLFLOW_TRACKING_PASSWORD, and the timeouts in MLFLOW_HTTP_REQUEST_TIMEOUT
// and MLFLOW_HTTP_REQUEST_MAX_RETRIES (a value that cannot be read is an
// error). A file: URI or plain folder (MLflow's legacy file store) is
// refused with ErrFileStore, a Databricks workspace or any other scheme
// with ErrUnsupportedURI, both as a *URIError that says, for a URI taken
// from the environment, which variable held it.
func Open(ctx context.Context, uri string) (*Client, error) {
	given := uri
	uri = ResolveURI(uri)
	loc, err := ParseURI(uri)
	if err != nil {
		var ue *URIError
		if strings.TrimSpace(given) == "" && errors.As(err, &ue) && uri != DefaultURI {
			ue.From = EnvTrackingURI
		}
		return nil, err
	}
	switch loc.Kind {
	case KindSQLite:
		s, err := sqlstore.Open(ctx, loc.Path, sqlstore.Options{})
		if err != nil {
			return nil, fmt.Errorf("tracking: open %s: %w", uri, err)
		}
		return NewClient(s, uri), nil
	case KindREST:
		opts, err := rest.OptionsFromEnv()
		if err != nil {
			return nil, fmt.Errorf("tracking: open %s: %w", Redact(uri), err)
		}
		s, err := rest.New(loc.URL, opts)
		if err != nil {
			return nil, fmt.Errorf("tracking: open %s: %w", Redact(uri), err)
		}
		return NewClient(s, Redact(uri)), nil
	}
	return nil, unsupported(Redact(uri), "no store for it")
}
