package mlmodel

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grove-ml/grove/tracking/internal/pyjson"
	"go.yaml.in/yaml/v3"
)

// Model is the metadata file MLflow keeps beside a model's files, named
// MLmodel, in MLflow's YAML layout: the flavors that can load the model, the
// run and model it belongs to, its creation time and signature.
type Model struct {
	ArtifactPath string // the model's artifact location
	// Flavors maps a flavor name to its fields; values are strings, ints,
	// bools, float64s or nil (written as null).
	Flavors        map[string]map[string]any
	ModelID        string
	RunID          string
	ModelSizeBytes int64 // the model files' total size; omitted when 0
	Signature      *Signature
	Created        time.Time // written in UTC as utc_time_created
}

// Signature is a model's input and output schema, as MLflow's JSON specs.
type Signature struct {
	Inputs  string // e.g. ColSpec(featureNames, "double")
	Outputs string // e.g. TensorSpec("int64", -1)
}

// ColSpec returns MLflow's column schema JSON for named columns of one type,
// as used in a signature's inputs and a dataset's schema.
func ColSpec(names []string, typ string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"type": %s, "name": %s, "required": true}`, pyjson.String(typ), pyjson.String(n))
	}
	b.WriteByte(']')
	return b.String()
}

// TensorSpec returns MLflow's tensor schema JSON for one tensor of dtype
// with the given shape (-1 for any length).
func TensorSpec(dtype string, shape ...int) string {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	return fmt.Sprintf(`[{"type": "tensor", "tensor-spec": {"dtype": %s, "shape": [%s]}}]`, pyjson.String(dtype), strings.Join(dims, ", "))
}

// Marshal returns the MLmodel file's text. Keys are sorted, as MLflow
// writes them, so the same model always gives the same bytes.
func (m *Model) Marshal() []byte {
	var b strings.Builder
	kv := func(indent, k string, v any) {
		fmt.Fprintf(&b, "%s%s: %s\n", indent, k, yamlScalar(v))
	}
	kv("", "artifact_path", m.ArtifactPath)
	b.WriteString("flavors:\n")
	for _, name := range slices.Sorted(maps.Keys(m.Flavors)) {
		fields := m.Flavors[name]
		if len(fields) == 0 {
			fmt.Fprintf(&b, "  %s: {}\n", yamlScalar(name))
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", yamlScalar(name))
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			kv("    ", yamlScalar(k), fields[k])
		}
	}
	kv("", "model_id", m.ModelID)
	if m.ModelSizeBytes > 0 {
		kv("", "model_size_bytes", m.ModelSizeBytes)
	}
	kv("", "model_uuid", m.ModelID)
	kv("", "run_id", m.RunID)
	if m.Signature != nil {
		b.WriteString("signature:\n")
		kv("  ", "inputs", m.Signature.Inputs)
		kv("  ", "outputs", m.Signature.Outputs)
		kv("  ", "params", nil)
	}
	kv("", "utc_time_created", m.Created.UTC().Format("2006-01-02 15:04:05.000000"))
	return []byte(b.String())
}

// yamlScalar spells v as a YAML scalar that reads back as the same value
// and type: plain when unambiguous, else single-quoted, else (for control
// characters and line breaks) double-quoted with escapes.
func yamlScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		if plainSafe(x) {
			return x
		}
		for _, r := range x {
			if !yamlPrintable(r) {
				return yamlDoubleQuoted(x)
			}
		}
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	}
	return yamlDoubleQuoted(fmt.Sprint(v))
}

// yamlPrintable reports whether r may stand as itself in a single-quoted
// scalar on one line: YAML's printable set less line breaks and the BOM.
func yamlPrintable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff:
		return false
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// yamlDoubleQuoted spells s as a double-quoted scalar, escaping every
// character YAML does not allow as itself.
func yamlDoubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case yamlPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r <= 0xffff:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainSafe reports whether s can be written unquoted: a word or path that
// YAML cannot take for a number, boolean, null or syntax.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}

// Parse reads an MLmodel file, MLflow's own or grove's. Fields grove
// does not model (mlflow_version, prompts, ...) are ignored; flavor fields
// keep the types YAML gives them (string, int, bool, float64, nil).
func Parse(data []byte) (*Model, error) {
	var raw struct {
		ArtifactPath   string                    `yaml:"artifact_path"`
		Flavors        map[string]map[string]any `yaml:"flavors"`
		ModelID        string                    `yaml:"model_id"`
		ModelUUID      string                    `yaml:"model_uuid"`
		RunID          string                    `yaml:"run_id"`
		ModelSizeBytes int64                     `yaml:"model_size_bytes"`
		Signature      *struct {
			Inputs  string `yaml:"inputs"`
			Outputs string `yaml:"outputs"`
		} `yaml:"signature"`
		UTCTimeCreated string `yaml:"utc_time_created"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("mlmodel: %w", err)
	}
	if len(raw.Flavors) == 0 {
		return nil, fmt.Errorf("mlmodel: no flavors, so nothing can load the model")
	}
	m := &Model{
		ArtifactPath:   raw.ArtifactPath,
		Flavors:        raw.Flavors,
		ModelID:        raw.ModelID,
		RunID:          raw.RunID,
		ModelSizeBytes: raw.ModelSizeBytes,
	}
	if m.ModelID == "" {
		m.ModelID = raw.ModelUUID
	}
	if raw.Signature != nil {
		m.Signature = &Signature{Inputs: raw.Signature.Inputs, Outputs: raw.Signature.Outputs}
	}
	if raw.UTCTimeCreated != "" {
		t, err := time.Parse("2006-01-02 15:04:05.999999", raw.UTCTimeCreated)
		if err != nil {
			return nil, fmt.Errorf("mlmodel: utc_time_created %q: %w", raw.UTCTimeCreated, err)
		}
		m.Created = t
	}
	return m, nil
}
