package rest

import (
	"os"
	"testing"

	"github.com/grove-ml/grove/internal/sharedtest"
)

// TestTranscriptsAreSharedCopies keeps every file under testdata/, the
// exchanges recorded with a real MLflow server, the copy of its source in
// the shared fixtures.
func TestTranscriptsAreSharedCopies(t *testing.T) {
	sharedtest.Path(t, "fixtures/mlflow/rest")
	files, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		t.Run(f.Name(), func(t *testing.T) {
			sharedtest.SameAsSource(t, "testdata/"+f.Name(), "fixtures/mlflow/rest/"+f.Name())
		})
	}
}
