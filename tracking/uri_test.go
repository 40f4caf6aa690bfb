package tracking

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri     string
		want    Location
		wantErr error
		errHas  string
	}{
		{uri: "sqlite:///mlflow.db", want: Location{Kind: KindSQLite, Path: "mlflow.db"}},
		{uri: "sqlite:///runs/x.db", want: Location{Kind: KindSQLite, Path: "runs/x.db"}},
		{uri: "sqlite:////abs/path/mlflow.db", want: Location{Kind: KindSQLite, Path: "/abs/path/mlflow.db"}},
		{uri: "SQLite:///mlflow.db", want: Location{Kind: KindSQLite, Path: "mlflow.db"}},
		{uri: "http://localhost:5000", want: Location{Kind: KindREST, URL: "http://localhost:5000"}},
		{uri: "https://mlflow.example.com/prefix/", want: Location{Kind: KindREST, URL: "https://mlflow.example.com/prefix"}},
		{uri: "file:///tmp/mlruns", wantErr: ErrFileStore, errHas: "sqlite:///mlflow.db"},
		{uri: "file:mlruns", wantErr: ErrFileStore},
		{uri: "./mlruns", wantErr: ErrFileStore, errHas: "legacy file store"},
		{uri: "mlruns", wantErr: ErrFileStore},
		{uri: "/abs/mlruns", wantErr: ErrFileStore},
		{uri: `C:\runs`, wantErr: ErrFileStore},
		{uri: "", wantErr: ErrUnsupportedURI},
		{uri: "sqlite://", wantErr: ErrUnsupportedURI},
		{uri: "sqlite:///", wantErr: ErrUnsupportedURI, errHas: "no database file"},
		{uri: "sqlite://host/x.db", wantErr: ErrUnsupportedURI},
		{uri: "sqlite:///:memory:", wantErr: ErrUnsupportedURI, errHas: "in-memory"},
		{uri: "sqlite:///x.db?mode=ro", wantErr: ErrUnsupportedURI, errHas: "query"},
		{uri: "sqlite:///runs/", wantErr: ErrUnsupportedURI, errHas: "folder"},
		{uri: "postgresql://u@h/db", wantErr: ErrUnsupportedURI, errHas: "postgresql"},
		{uri: "databricks", wantErr: ErrUnsupportedURI, errHas: "Databricks workspaces are not supported"},
		{uri: "databricks://my-profile", wantErr: ErrUnsupportedURI, errHas: "Databricks"},
		{uri: "Databricks-UC", wantErr: ErrUnsupportedURI, errHas: "Databricks"},
		{uri: "ftp://h/x", wantErr: ErrUnsupportedURI, errHas: "sqlite:///relative/path.db, sqlite:////absolute/path.db, http://host:port or https://host:port"},
		{uri: "databricks-folder", wantErr: ErrFileStore},
		{uri: "http://", wantErr: ErrUnsupportedURI, errHas: "no host"},
		{uri: "http://h:5000/?x=1", wantErr: ErrUnsupportedURI, errHas: "query"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseURI(%q) error = %v, want %v", tt.uri, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("ParseURI(%q) error %q does not mention %q", tt.uri, err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseURI(%q): %v", tt.uri, err)
			}
			if got != tt.want {
				t.Errorf("ParseURI(%q) = %+v, want %+v", tt.uri, got, tt.want)
			}
		})
	}
}

func TestParseURINeverShowsPassword(t *testing.T) {
	for _, uri := range []string{
		"http://alice:s3cret@host:5000/?q=1",
		"https://alice:s3cret@/x",
		"http://alice:s3cret@host:port-is-bad/",
		"postgresql://alice:s3cret@host/db",
		"databricks://alice:s3cret@host",
	} {
		_, err := ParseURI(uri)
		if err == nil {
			t.Fatalf("ParseURI(%q) succeeded, want an error", uri)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseURI(%q) error shows the password: %v", uri, err)
		}
	}
	if got := Redact("https://alice:s3cret@host/"); strings.Contains(got, "s3cret") {
		t.Errorf("Redact kept the password: %s", got)
	}
}

func TestResolveURI(t *testing.T) {
	t.Setenv(EnvTrackingURI, "")
	if got := ResolveURI(""); got != DefaultURI {
		t.Errorf("ResolveURI(\"\") without env = %q, want %q", got, DefaultURI)
	}
	t.Setenv(EnvTrackingURI, "http://h:5000")
	if got := ResolveURI(""); got != "http://h:5000" {
		t.Errorf("ResolveURI(\"\") with env = %q, want the env value", got)
	}
	if got := ResolveURI("sqlite:///x.db"); got != "sqlite:///x.db" {
		t.Errorf("ResolveURI given a URI = %q, want it unchanged", got)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"sqlite:///mlflow.db", "sqlite:////a/b.db", "http://h:1", "https://u:p@h/x/", "file:///x", "mlruns", "C:\\x", "sqlite://", "a:b", "ht\x00tp://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		loc, err := ParseURI(uri)
		if err != nil {
			if !errors.Is(err, ErrFileStore) && !errors.Is(err, ErrUnsupportedURI) {
				t.Fatalf("ParseURI(%q) error %v matches no sentinel", uri, err)
			}
			return
		}
		switch loc.Kind {
		case KindSQLite:
			if loc.Path == "" || loc.URL != "" || !strings.HasSuffix(uri, loc.Path) {
				t.Fatalf("ParseURI(%q) = %+v: bad SQLite location", uri, loc)
			}
		case KindREST:
			l := strings.ToLower(loc.URL)
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") || loc.Path != "" {
				t.Fatalf("ParseURI(%q) = %+v: bad REST location", uri, loc)
			}
		default:
			t.Fatalf("ParseURI(%q) = %+v: unknown kind", uri, loc)
		}
	})
}
