package autolog

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
)

// pkgPath is this package's import path, to tell its own frames apart from
// the caller's.
var pkgPath = reflect.TypeOf(Options{}).PkgPath()

// callerFile returns the source file of the first function on the call
// stack outside this package: the program that called Fit. The path is the
// one the compiler recorded, so it names a real file only when the program
// runs where it was built (go run, go test, a binary built in place without
// -trimpath).
func callerFile() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function != "" && !inPackage(f.Function, pkgPath) && f.File != "" {
			return f.File
		}
		if !more {
			return ""
		}
	}
}

// inPackage reports whether the fully qualified function name fn belongs
// to the package pkg (methods and closures included, sub-packages not).
func inPackage(fn, pkg string) bool {
	rest, ok := strings.CutPrefix(fn, pkg)
	return ok && strings.HasPrefix(rest, ".")
}

// sourceName is what mlflow.source.name records for file: the path relative
// to the working directory when the file lies under it, else as given.
func sourceName(file string) string {
	if file == "" {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(wd, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

// estimatorClass returns the Go type's full path, such as
// github.com/grove-ml/grove/models/forest.Forest, for the estimator_class
// tag, as MLflow records sklearn.ensemble._forest.RandomForestClassifier.
func estimatorClass(v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	if t.PkgPath() == "" || t.Name() == "" {
		return t.String()
	}
	return t.PkgPath() + "." + t.Name()
}

// estimatorName returns the scikit-learn name of a models.Named model, else
// the Go type's name.
func estimatorName(v any) string {
	if n, ok := v.(interface{ EstimatorName() string }); ok {
		if s := n.EstimatorName(); s != "" {
			return s
		}
	}
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	return t.Name()
}
