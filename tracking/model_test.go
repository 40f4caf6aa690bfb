package tracking

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/sharedtest"
	"github.com/grove-ml/grove/tracking/store"
	"go.yaml.in/yaml/v3"
)

func TestMLmodelRoundTrip(t *testing.T) {
	m := &MLmodel{
		ArtifactPath: "/tmp/mlruns/1/models/m-0123/artifacts",
		Flavors: map[string]map[string]any{
			"grove": {"model_file": "model.grove", "format": "grove-forest", "format_version": 1, "grove_version": "0.1.0", "weird": "yes: no # 'x'", "none": nil, "flag": true},
		},
		ModelID:        "m-0123456789abcdef0123456789abcdef",
		RunID:          "0123456789abcdef0123456789abcdef",
		ModelSizeBytes: 11536,
		Signature: &Signature{
			Inputs:  ColSpec([]string{"sepal length (cm)", `quote"d`, "it's"}, "double"),
			Outputs: TensorSpec("int64", -1),
		},
		Created: time.Date(2026, 11, 27, 10, 12, 22, 644155000, time.UTC),
	}
	text := m.Marshal()
	if !strings.Contains(string(text), "utc_time_created: '2026-11-27 10:12:22.644155'\n") {
		t.Errorf("utc_time_created not in MLflow's spelling:\n%s", text)
	}
	got, err := ReadMLmodel(text)
	if err != nil {
		t.Fatalf("ReadMLmodel: %v\n%s", err, text)
	}
	if got.ArtifactPath != m.ArtifactPath || got.ModelID != m.ModelID || got.RunID != m.RunID || got.ModelSizeBytes != m.ModelSizeBytes || !got.Created.Equal(m.Created) {
		t.Errorf("read back %+v, want %+v", got, m)
	}
	if *got.Signature != *m.Signature {
		t.Errorf("signature read back %+v, want %+v", got.Signature, m.Signature)
	}
	for k, v := range m.Flavors["grove"] {
		if got.Flavors["grove"][k] != v {
			t.Errorf("flavor field %s = %#v, want %#v", k, got.Flavors["grove"][k], v)
		}
	}
	// The signature is JSON, as MLflow reads it.
	if !strings.Contains(m.Signature.Inputs, `{"type": "double", "name": "quote\"d", "required": true}`) {
		t.Errorf("ColSpec = %s", m.Signature.Inputs)
	}
}

// TestMLmodelFixtureIsSharedCopy keeps testdata/sklearn.MLmodel the copy of
// the MLmodel file MLflow wrote for the autolog-iris fixture.
func TestMLmodelFixtureIsSharedCopy(t *testing.T) {
	sharedtest.SameAsSource(t, "testdata/sklearn.MLmodel",
		"fixtures/mlflow/autolog-iris/mlruns/1/models/m-83cc5c7bdae149678072e9f7db41d49a/artifacts/MLmodel")
}

func TestReadMLmodelOfMLflow(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn.MLmodel")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadMLmodel(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.ModelID != "m-83cc5c7bdae149678072e9f7db41d49a" || m.RunID != "45e3fba4625f49baa4868f8e2d40c7ab" || m.ModelSizeBytes != 11536 {
		t.Errorf("ids/size: %+v", m)
	}
	if m.Flavors["sklearn"]["pickled_model"] != "model.pkl" {
		t.Errorf("sklearn flavor %v", m.Flavors["sklearn"])
	}
	if m.Signature == nil || !strings.HasPrefix(m.Signature.Inputs, `[{"type": "double", "name": "sepal length (cm)"`) {
		t.Errorf("signature %+v", m.Signature)
	}
	if m.Created.Year() != 2026 || m.Created.Nanosecond() != 644155000 {
		t.Errorf("created %v", m.Created)
	}
	if _, err := ReadMLmodel([]byte("flavors: {}\n")); err == nil {
		t.Error("an MLmodel without flavors was accepted")
	}
	if _, err := ReadMLmodel([]byte("flavors: [\n")); err == nil {
		t.Error("broken YAML was accepted")
	}
}

func FuzzYAMLScalar(f *testing.F) {
	for _, s := range []string{"", "yes", "1.5", "a: b", "'q'", "#x", "- x", "x\ny", "\u2028", "null", "~", "0x1F", "@a", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Keys and values reaching MLmodel come from Go strings that may
		// hold invalid UTF-8; JSON-quoting turns those into U+FFFD, so
		// compare on valid text only.
		s = strings.ToValidUTF8(s, "?")
		var got struct {
			V string `yaml:"v"`
		}
		text := "v: " + yamlScalar(s) + "\n"
		if err := yaml.Unmarshal([]byte(text), &got); err != nil {
			t.Fatalf("yamlScalar(%q) = %s: %v", s, text, err)
		}
		if got.V != s {
			t.Fatalf("yamlScalar(%q) reads back as %q", s, got.V)
		}
	})
}

func TestLogModel(t *testing.T) {
	ctx := context.Background()
	c, m := newTestClient(t)
	r := startTestRun(t, c, RunOptions{})
	lm, err := r.LogModel(ctx, ModelSpec{
		Params: map[string]string{"n_estimators": "10"},
		Tags:   map[string]string{TagUser: "ada"},
		Write: func(ctx context.Context, lm *store.LoggedModel, files store.ArtifactRepo) error {
			mm := &MLmodel{ArtifactPath: lm.ArtifactLocation, ModelID: lm.ModelID, RunID: lm.SourceRunID,
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
	mm, err := ReadMLmodel(b)
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

func FuzzReadMLmodel(f *testing.F) {
	if b, err := os.ReadFile("testdata/sklearn.MLmodel"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("flavors:\n  grove:\n    model_file: model.grove\nutc_time_created: '2026-01-01 00:00:00.000000'\n"))
	f.Add([]byte("flavors: {a: {b: [1, 2]}}\nsignature: null\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMLmodel(data)
		if err != nil {
			return
		}
		if len(m.Flavors) == 0 {
			t.Fatalf("ReadMLmodel accepted a file without flavors: %q", data)
		}
	})
}
