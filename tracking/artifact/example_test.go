package artifact_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/grove-ml/grove/tracking/artifact"
)

func ExampleLocal() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "mlruns")
	defer os.RemoveAll(dir)

	// A run's artifact URI, as the SQLite store records it.
	repo := artifact.NewLocal("file://" + filepath.ToSlash(filepath.Join(dir, "1", "0123abcd", "artifacts")))
	repo.Put(ctx, "charts/loss.html", strings.NewReader("<html></html>"))
	repo.Put(ctx, "train.go", strings.NewReader("package main\n"))

	list, _ := repo.List(ctx, "")
	for _, fi := range list {
		fmt.Println(fi.Path, fi.IsDir, fi.Size)
	}
	rc, _ := repo.Open(ctx, "charts/loss.html")
	b, _ := io.ReadAll(rc)
	rc.Close()
	fmt.Println(string(b))
	// Output:
	// charts true 0
	// train.go false 13
	// <html></html>
}

func ExampleCleanPath() {
	for _, p := range []string{"charts/loss.html", "../../etc/passwd", "/abs", `a\b`} {
		clean, err := artifact.CleanPath(p)
		fmt.Printf("%q %v\n", clean, err)
	}
	// Output:
	// "charts/loss.html" <nil>
	// "" artifact: path "../../etc/passwd" refused: has a ".." segment
	// "" artifact: path "/abs" refused: is absolute
	// "" artifact: path "a\\b" refused: contains a backslash
}

// A repository inside a store's artifact folder keeps a go.mod at the top of
// that folder, so recorded Go sources never join an enclosing module's build.
func ExampleNewLocalIn() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "grove")
	defer os.RemoveAll(dir)
	mlruns := filepath.Join(dir, "mlruns")

	repo := artifact.NewLocalIn(mlruns, filepath.Join(mlruns, "1", "0123abcd", "artifacts"))
	repo.Put(ctx, "code/train.go", strings.NewReader("package main\n"))

	entries, _ := os.ReadDir(mlruns)
	for _, e := range entries {
		fmt.Println(e.Name(), e.IsDir())
	}
	// Output:
	// 1 true
	// go.mod false
}

// A run logged through MLflow's server in proxy mode records an
// mlflow-artifacts: location; its files are under the server's artifact root.
func ExampleProxiedPath() {
	for _, uri := range []string{"mlflow-artifacts:/1/0123abcd/artifacts", "mlflow-artifacts://host:5000/1/0123abcd/artifacts", "mlflow-artifacts:/1/../../etc"} {
		p, err := artifact.ProxiedPath("/srv/mlartifacts", uri)
		fmt.Printf("%q %v\n", filepath.ToSlash(p), err)
	}
	// Output:
	// "/srv/mlartifacts/1/0123abcd/artifacts" <nil>
	// "/srv/mlartifacts/1/0123abcd/artifacts" <nil>
	// "" artifact: path "1/../../etc" refused: has a ".." segment
}
