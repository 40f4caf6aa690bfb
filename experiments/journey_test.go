package experiments

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeJourney is a newcomer's first hour in a fresh clone: the main
// job, a sweep and the report, run the way the README says (go run at the
// module's root, recording into ./mlflow.db and ./mlruns), and then the
// module still vets and builds. The runs leave copies of cmd/train's source
// (code/train.go) under mlruns/, which the go command must not take for a
// package of grove, and which git must not offer to commit.
func TestReadmeJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the README journey in -short mode")
	}
	clone := copyModule(t, repoRoot(t), filepath.Join(t.TempDir(), "grove"))

	// An older grove left an artifact folder without go.mod behind.
	old := filepath.Join(clone, "mlruns", "0", "0123456789abcdef0123456789abcdef", "artifacts", "code", "train.go")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("package main\n\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	inClone(t, clone, "go", "run", "./cmd/train", "-test-size", "0.2")
	inClone(t, clone, "go", "run", "./experiments/sweep", "-sizes", "0.3,0.1", "-parallel", "2")
	inClone(t, clone, "go", "run", "./cmd/report", "-experiment", "test_size_sweep", "-o", filepath.Join(t.TempDir(), "report.html"))

	codes, _ := filepath.Glob(filepath.Join(clone, "mlruns", "*", "*", "artifacts", "code", "train.go"))
	if len(codes) != 4 {
		t.Errorf("%d runs recorded code/train.go, want the old one and 3 new ones: %v", len(codes), codes)
	}
	inClone(t, clone, "go", "vet", "./...")
	inClone(t, clone, "go", "build", "./...")

	// .ci/run formats what git tracks, and a user commits what git offers.
	inClone(t, clone, "git", "init", "-q")
	status := inClone(t, clone, "git", "status", "--porcelain", "--untracked-files=all")
	for _, l := range strings.Split(status, "\n") {
		if strings.Contains(l, "mlflow.db") || strings.Contains(l, "mlruns") {
			t.Errorf("git offers to commit %s", l)
		}
	}
}

// copyModule copies what a commit of the module at root would hold (tracked
// files and untracked ones git does not ignore, as they are on disk) to dst.
func copyModule(t *testing.T, root, dst string) string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("skipping: the module is not a git work tree here, so what a clone holds is unknown (%v)", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if st, err := os.Stat(filepath.Join(root, name)); err == nil && st.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if err := os.WriteFile(p, b, mode); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// inClone runs a command at the clone's root as a user would, with the
// default tracking URI (./mlflow.db) and the shared build cache, and
// returns its standard output.
func inClone(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MLFLOW_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
