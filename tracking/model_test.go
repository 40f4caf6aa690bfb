package tracking

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/tracking/mlmodel"
	"github.com/grove-ml/grove/tracking/store"
)

func TestLogModel(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	lm, err := r.LogModel(ctx, ModelSpec{
		Params: map[string]string{"n_estimators": "10"},
		Tags:   map[string]string{TagUser: "ada"},
		Write: func(ctx context.Context, lm *store.LoggedModel, files store.ArtifactRepo) error {
			mm := &mlmodel.Model{ArtifactPath: lm.ArtifactLocation, ModelID: lm.ModelID, RunID: lm.SourceRunID,
				Flavors: map[string]map[string]any{"grove": {"model_file": "model.grove"}}, Created: time.Now()}
			if err := files.Put(ctx, "MLmodel", strings.NewReader(string(mm.Marshal()))); err != nil {
				return err
			}
			return files.Put(ctx, "model.grove", strings.NewReader("weights"))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if lm.Status != store.ModelReady || lm.Name != "model" || lm.SourceRunID != r.ID() || !strings.HasPrefix(lm.ModelID, "m-") {
		t.Errorf("logged model %+v", lm)
	}
	got, _ := c.GetRun(ctx, r.ID())
	if len(got.Outputs.Models) != 1 || got.Outputs.Models[0].ModelID != lm.ModelID {
		t.Errorf("run outputs %+v, want the model", got.Outputs)
	}
	repo, _ := m.Artifacts(ctx, lm.ArtifactLocation)
	rc, err := repo.Open(ctx, "MLmodel")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	mm, err := mlmodel.Parse(b)
	if err != nil || mm.ModelID != lm.ModelID || mm.RunID != r.ID() {
		t.Errorf("MLmodel read back %+v, %v", mm, err)
	}

	// A failure while writing leaves the model FAILED, never PENDING.
	m.failPut = true
	lm2, err := r.LogModel(ctx, ModelSpec{Name: "broken", Write: func(ctx context.Context, lm *store.LoggedModel, files store.ArtifactRepo) error {
		return files.Put(ctx, "x", strings.NewReader("x"))
	}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("failing write: error %v, want it to say why", err)
	}
	if st, _ := m.GetLoggedModel(ctx, lm2.ModelID); st.Status != store.ModelFailed {
		t.Errorf("model status after failure %v, want FAILED", st.Status)
	}
	for _, bad := range []string{"a/b", "a:b", " "} {
		t.Run("bad name "+bad, func(t *testing.T) {
			_, err := r.LogModel(ctx, ModelSpec{Name: bad, Write: func(context.Context, *store.LoggedModel, store.ArtifactRepo) error { return nil }})
			if !errors.Is(err, store.ErrInvalidParameter) {
				t.Errorf("model name %q: error %v, want INVALID_PARAMETER_VALUE", bad, err)
			}
		})
	}
}
