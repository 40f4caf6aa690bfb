package tracking_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/rest"
)

func TestSpoolURI(t *testing.T) {
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache folder on this machine:", err)
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		env, want string
		off       bool
	}{
		{"", "sqlite:///" + filepath.ToSlash(filepath.Join(cache, "grove", "spool", "mlflow.db")), false},
		{dir, "sqlite:///" + filepath.ToSlash(filepath.Join(dir, "mlflow.db")), false},
		{"off", "", true},
		{"OFF", "", true},
	} {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(tracking.EnvSpool, tt.env)
			got, err := tracking.SpoolURI()
			if tt.off != errors.Is(err, tracking.ErrSpoolOff) || got != tt.want {
				t.Errorf("SpoolURI() = %q, %v; want %q (off %v)", got, err, tt.want, tt.off)
			}
		})
	}
}

func TestOpenSpool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	t.Setenv(tracking.EnvSpool, dir)
	c, err := tracking.OpenSpool(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := os.Stat(filepath.Join(dir, "mlflow.db")); err != nil {
		t.Error(err)
	}
}

// TestUnreachable tells a server that cannot be reached from one that
// answers with an error, and from an interruption.
func TestUnreachable(t *testing.T) {
	answers := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "runs/get") {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no"}`))
	}))
	defer answers.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	opts := rest.Options{MaxRetries: -1}
	up, _ := rest.New(answers.URL, opts)
	down, _ := rest.New(closed.URL, opts)
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, notFound := up.GetExperimentByName(ctx, "x")
	_, gateway := up.GetRun(ctx, "0123456789abcdef0123456789abcdef")
	_, refused := down.GetExperimentByName(ctx, "x")
	_, stopped := down.GetExperimentByName(cancelled, "x")
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"not-found", notFound, false},
		{"bad-gateway", gateway, true},
		{"refused", refused, true},
		{"cancelled", stopped, false},
		{"other", errors.New("disk full"), false},
	} {
		if got := tracking.Unreachable(tt.err); got != tt.want {
			t.Errorf("%s: Unreachable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
