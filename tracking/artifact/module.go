package artifact

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ModuleFile is the go.mod that NewLocalIn's repositories keep in a store's
// artifact folder. A run records its program's source (code/train.go), and
// the artifact folder usually lies inside the module the program was run
// from: without this file, "go build ./...", "go vet ./..." and
// "go test ./..." there would compile every recorded copy as a package of
// that module. The go command leaves a folder holding a go.mod out of the
// enclosing module's "./..." patterns, and git-based tools never see the
// folder once it is ignored. MLflow reads only the experiments' folders
// below it, so a file at the top is invisible to it.
const ModuleFile = `// grove writes this file so that the go command takes this folder of MLflow
// artifacts (which holds copies of Go programs under code/) for a module of
// its own, and leaves it out of "go build ./...", "go vet ./..." and
// "go test ./..." in an enclosing module. It is safe to keep; deleting it
// only brings that problem back.
module mlruns
`

// fence writes ModuleFile into l.base when that folder has no go.mod yet,
// including a folder made by an older grove that did not write one. It is
// best effort: the file spares Go users a broken build, and a run's
// artifacts are recorded whether or not it could be written (a folder that
// refuses it refuses the artifacts too, with the error that matters).
func (l *Local) fence() {
	if l.base == "" {
		return
	}
	name := filepath.Join(l.base, "go.mod")
	if _, err := os.Lstat(name); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return // there, or not ours to judge: leave it
	}
	if err := os.MkdirAll(l.base, 0o755); err != nil {
		return
	}
	// O_EXCL: two processes of a sweep may get here at once, and a go.mod
	// the user wrote meanwhile is never replaced.
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return
	}
	_, werr := f.WriteString(ModuleFile)
	if cerr := f.Close(); werr != nil || cerr != nil {
		os.Remove(name) // a half-written go.mod would break the go command here
	}
}
