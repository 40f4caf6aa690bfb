package artifact

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestModuleFileInStoreRoot(t *testing.T) {
	const mine = "module mine\n"
	tests := []struct {
		name    string
		prepare func(t *testing.T, base string) // the folder as a user left it
		root    func(base string) string        // the repository's root
		noBase  bool                            // NewLocal instead of NewLocalIn
		want    string                          // base/go.mod afterwards; "" for none
	}{
		{name: "new folder", want: ModuleFile},
		{name: "folder of an older grove", prepare: func(t *testing.T, base string) {
			writeFile(t, filepath.Join(base, "1", "0123", "artifacts", "code", "train.go"), "package main\n")
		}, want: ModuleFile},
		{name: "file URI", root: func(base string) string {
			return "file://" + filepath.ToSlash(filepath.Join(base, "1", "r", "artifacts"))
		}, want: ModuleFile},
		{name: "user's own go.mod", prepare: func(t *testing.T, base string) {
			writeFile(t, filepath.Join(base, "go.mod"), mine)
		}, want: mine},
		{name: "root outside the store's folder", root: func(base string) string {
			return filepath.Join(filepath.Dir(base), "elsewhere", "artifacts")
		}},
		{name: "store unknown", noBase: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "mlruns")
			if tt.prepare != nil {
				tt.prepare(t, base)
			}
			root := filepath.Join(base, "1", "r", "artifacts")
			if tt.root != nil {
				root = tt.root(base)
			}
			l := NewLocalIn(base, root)
			if tt.noBase {
				l = NewLocal(root)
			}
			if err := l.Put(context.Background(), "code/train.go", strings.NewReader("package main\n")); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(base, "go.mod"))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("go.mod written where it does not belong:\n%s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("go.mod is\n%s\nwant\n%s", got, tt.want)
			}
			list, err := l.List(context.Background(), "")
			if err != nil || len(list) != 1 || list[0].Path != "code" {
				t.Errorf("the run's artifacts list as %v (%v), want only code", list, err)
			}
		})
	}
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
