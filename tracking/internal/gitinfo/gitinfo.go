package gitinfo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotWorkTree is returned by Commit for a path outside any git work tree.
var ErrNotWorkTree = errors.New("gitinfo: not inside a git work tree")

// Commit returns the commit checked out in the git work tree that holds
// path (a file or folder), reading .git directly so that no git program is
// needed: HEAD, then the branch it names as a loose ref or in packed-refs.
// Linked work trees (.git as a file naming the real git folder) work too.
func Commit(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("gitinfo: commit of %s: %w", path, err)
	}
	gitDir, err := findGitDir(abs)
	if err != nil {
		return "", err
	}
	head, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return "", fmt.Errorf("gitinfo: commit of %s: %w", path, err)
	}
	h := strings.TrimSpace(string(head))
	ref, isRef := strings.CutPrefix(h, "ref:")
	if !isRef {
		return checkHash(h, gitDir)
	}
	ref = strings.TrimSpace(ref)
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return "", fmt.Errorf("gitinfo: commit: HEAD in %s names %q, not a ref", gitDir, ref)
	}
	// Branches of a linked work tree live in the main repository's folder.
	common := gitDir
	if c, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		cd := strings.TrimSpace(string(c))
		if !filepath.IsAbs(cd) {
			cd = filepath.Join(gitDir, cd)
		}
		common = cd
	}
	for _, dir := range []string{gitDir, common} {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
			return checkHash(strings.TrimSpace(string(b)), dir)
		}
	}
	if hash, ok := packedRef(filepath.Join(common, "packed-refs"), ref); ok {
		return checkHash(hash, common)
	}
	return "", fmt.Errorf("gitinfo: commit: branch %s in %s has no commit yet", ref, gitDir)
}

func checkHash(h, where string) (string, error) {
	if len(h) != 40 && len(h) != 64 {
		return "", fmt.Errorf("gitinfo: commit: %q in %s is not a commit hash", h, where)
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("gitinfo: commit: %q in %s is not a commit hash", h, where)
		}
	}
	return h, nil
}

// findGitDir walks up from start to the first folder holding .git and
// returns the git folder it stands for.
func findGitDir(start string) (string, error) {
	dir := start
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		dir = filepath.Dir(dir)
	}
	for {
		p := filepath.Join(dir, ".git")
		st, err := os.Stat(p)
		if err == nil {
			if st.IsDir() {
				return p, nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return "", fmt.Errorf("gitinfo: commit: %w", err)
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
			if !ok {
				return "", fmt.Errorf("gitinfo: commit: %s is neither a folder nor a gitdir file", p)
			}
			target = strings.TrimSpace(target)
			if !filepath.IsAbs(target) {
				target = filepath.Join(dir, target)
			}
			return target, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: %s", ErrNotWorkTree, start)
		}
		dir = parent
	}
}

func packedRef(file, ref string) (string, bool) {
	f, err := os.Open(file)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		hash, name, ok := strings.Cut(line, " ")
		if ok && name == ref {
			return hash, true
		}
	}
	return "", false
}
