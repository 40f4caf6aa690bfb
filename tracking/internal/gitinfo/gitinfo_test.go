package gitinfo

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommit(t *testing.T) {
	const (
		h1 = "1111111111111111111111111111111111111111"
		h2 = "2222222222222222222222222222222222222222"
		h3 = "3333333333333333333333333333333333333333"
	)
	type file struct{ path, text string }
	tests := []struct {
		name    string
		files   []file
		from    string // where to ask, relative to the temp root
		want    string
		wantErr bool
	}{
		{"loose branch", []file{{".git/HEAD", "ref: refs/heads/main\n"}, {".git/refs/heads/main", h1 + "\n"}, {"src/a.go", ""}}, "src/a.go", h1, false},
		{"packed branch", []file{{".git/HEAD", "ref: refs/heads/dev\n"}, {".git/packed-refs", "# pack-refs with: peeled\n" + h3 + " refs/heads/main\n" + h2 + " refs/heads/dev\n^" + h1 + "\n"}}, ".", h2, false},
		{"detached", []file{{".git/HEAD", h3 + "\n"}}, ".", h3, false},
		{"linked work tree", []file{
			{"repo/.git/refs/heads/feature", h1},
			{"repo/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n"},
			{"repo/.git/worktrees/wt/commondir", "../..\n"},
			{"wt/.git", "gitdir: ../repo/.git/worktrees/wt\n"},
			{"wt/x.go", ""},
		}, "wt/x.go", h1, false},
		{"unborn branch", []file{{".git/HEAD", "ref: refs/heads/main\n"}}, ".", "", true},
		{"garbage head", []file{{".git/HEAD", "not a hash\n"}}, ".", "", true},
		{"escaping ref", []file{{".git/HEAD", "ref: refs/../../etc/passwd\n"}}, ".", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(f.path))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(f.text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Commit(filepath.Join(root, tt.from))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Commit = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCommitOutsideWorkTree(t *testing.T) {
	dir := t.TempDir()
	// A temp folder can sit inside some work tree (TMPDIR in a clone); the
	// walk up would then rightly find it, and nothing here can be checked.
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			t.Skipf("skipping: the temp folder %s is inside the work tree at %s", dir, d)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	got, err := Commit(filepath.Join(dir, "a.go"))
	if !errors.Is(err, ErrNotWorkTree) || got != "" {
		t.Fatalf("Commit(temp) = %q, %v; want ErrNotWorkTree", got, err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the folder asked about", err)
	}
}

// TestCommitMatchesGit checks the reader against git itself on the
// repository holding this package, when both are there.
func TestCommitMatchesGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git program to compare with")
	}
	out, err := exec.Command(git, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not inside a git work tree with a commit")
	}
	got, err := Commit(".")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("Commit(.) = %s, git says %s", got, want)
	}
}
