package artifact

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestProxiedPath(t *testing.T) {
	root := filepath.Join(t.TempDir(), "mlartifacts")
	tests := []struct {
		name, uri string
		want      string // relative to root; "" means refused
	}{
		{"run", "mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts"},
		{"without a slash", "mlflow-artifacts:1/abc/artifacts", "1/abc/artifacts"},
		{"trailing slash", "mlflow-artifacts:/1/abc/artifacts/", "1/abc/artifacts"},
		{"server named", "mlflow-artifacts://tracking.example:5000/1/abc/artifacts", "1/abc/artifacts"},
		{"server only", "mlflow-artifacts://tracking.example:5000", ""},
		{"whole root", "mlflow-artifacts:/", ""},
		{"climbs out", "mlflow-artifacts:/1/../../etc", ""},
		{"backslash", `mlflow-artifacts:/1\..\..\etc`, ""},
		{"drive", "mlflow-artifacts:/C:/Windows", ""},
		{"local path", "/srv/mlartifacts/1", ""},
		{"file URI", "file:///srv/mlartifacts/1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProxiedPath(root, tt.uri)
			if tt.want == "" {
				if err == nil || !errors.Is(err, ErrBadPath) {
					t.Fatalf("ProxiedPath(%q) = %q, %v; want a *PathError", tt.uri, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, filepath.FromSlash(tt.want)); got != want {
				t.Errorf("ProxiedPath(%q) = %q, want %q", tt.uri, got, want)
			}
			if !IsProxied(tt.uri) {
				t.Errorf("IsProxied(%q) = false", tt.uri)
			}
		})
	}
}
