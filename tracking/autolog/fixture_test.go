package autolog_test

import (
	"testing"

	"github.com/grove-ml/grove/internal/sharedtest"
)

// TestReferenceIsSharedCopy keeps testdata/mlflow-autolog-iris.json, what
// MLflow's own sklearn autolog recorded, the copy of the shared fixture.
func TestReferenceIsSharedCopy(t *testing.T) {
	sharedtest.SameAsSource(t, "testdata/mlflow-autolog-iris.json", "fixtures/mlflow/autolog-iris/read_store.json")
}
