package tracking

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenDefaultsToSQLiteInWorkingDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(EnvTrackingURI, "")
	c, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.URI() != DefaultURI {
		t.Errorf("URI %q, want %q", c.URI(), DefaultURI)
	}
	if _, err := os.Stat(filepath.Join(dir, "mlflow.db")); err != nil {
		t.Errorf("no mlflow.db in the working directory: %v", err)
	}
	exp, err := c.GetOrCreateExperiment(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "mlruns", exp.ID); exp.ArtifactLocation != want && exp.ArtifactLocation != "file://"+want {
		t.Errorf("artifact location %s, want %s beside the database", exp.ArtifactLocation, want)
	}
}

func TestOpenFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvTrackingURI, "sqlite:///"+filepath.Join(dir, "env.db"))
	c, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err != nil {
		t.Errorf("$%s not used: %v", EnvTrackingURI, err)
	}
	t.Setenv(EnvTrackingURI, "./mlruns")
	if _, err := Open(context.Background(), ""); !errors.Is(err, ErrFileStore) || !strings.Contains(err.Error(), "(from $"+EnvTrackingURI+")") {
		t.Errorf("file store from the environment: error %v, want ErrFileStore saying where the URI came from", err)
	}
	t.Setenv(EnvTrackingURI, "databricks")
	if _, err := Open(context.Background(), ""); !errors.Is(err, ErrUnsupportedURI) || !strings.Contains(err.Error(), `"databricks" (from $`+EnvTrackingURI+"): Databricks") {
		t.Errorf("databricks from the environment: error %v, want ErrUnsupportedURI naming Databricks and the variable", err)
	}
}

func TestOpenREST(t *testing.T) {
	// rest.New sends nothing until the first call, so no server is needed
	// to see that the URI picks the REST store.
	c, err := Open(context.Background(), "http://user:pw@127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.URI() == "" || strings.Contains(c.URI(), ":pw@") {
		t.Errorf("URI %q shows the password", c.URI())
	}
}
