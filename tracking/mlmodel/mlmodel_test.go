package mlmodel

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grove-ml/grove/internal/sharedtest"
	"go.yaml.in/yaml/v3"
)

func TestRoundTrip(t *testing.T) {
	m := &Model{
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
	got, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
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

// TestFixtureIsSharedCopy keeps testdata/sklearn.MLmodel the copy of
// the MLmodel file MLflow wrote for the autolog-iris fixture.
func TestFixtureIsSharedCopy(t *testing.T) {
	sharedtest.SameAsSource(t, "testdata/sklearn.MLmodel",
		"fixtures/mlflow/autolog-iris/mlruns/1/models/m-83cc5c7bdae149678072e9f7db41d49a/artifacts/MLmodel")
}

func TestParseMLflowFile(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn.MLmodel")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(b)
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
	if _, err := Parse([]byte("flavors: {}\n")); err == nil {
		t.Error("an MLmodel without flavors was accepted")
	}
	if _, err := Parse([]byte("flavors: [\n")); err == nil {
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

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/sklearn.MLmodel"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("flavors:\n  grove:\n    model_file: model.grove\nutc_time_created: '2026-01-01 00:00:00.000000'\n"))
	f.Add([]byte("flavors: {a: {b: [1, 2]}}\nsignature: null\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		if len(m.Flavors) == 0 {
			t.Fatalf("Parse accepted a file without flavors: %q", data)
		}
	})
}
