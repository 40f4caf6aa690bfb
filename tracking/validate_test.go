package tracking

import (
	"errors"
	"strings"
	"testing"

	"github.com/grove-ml/grove/tracking/store"
)

func TestValidateKey(t *testing.T) {
	tests := []struct {
		key    string
		ok     bool
		errHas string
	}{
		{key: "training_accuracy_score", ok: true},
		{key: "loss/val", ok: true},
		{key: "a.b-c d:e", ok: true},
		{key: "précision_é", ok: true},
		{key: "数据", ok: true},
		{key: strings.Repeat("k", 250), ok: true},
		{key: strings.Repeat("é", 250), ok: true},
		{key: "", errHas: "empty"},
		{key: strings.Repeat("k", 251), errHas: "251 characters"},
		{key: "acc@test", errHas: `'@' at byte 3`},
		{key: "a\tb", errHas: "at byte 1"},
		{key: "a//b", errHas: "resolve"},
		{key: "./a", errHas: "resolve"},
		{key: "../a", errHas: "resolve"},
		{key: "..a", errHas: "resolve"},
		{key: "/a", errHas: "resolve"},
		{key: "a/", errHas: "resolve"},
		{key: ".", errHas: "resolve"},
		{key: "a/./b", errHas: "resolve"},
		{key: "bad\xffutf8", errHas: "at byte 3"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			err := ValidateKey("metric", tt.key)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateKey(%q) = %v, want nil", tt.key, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateKey(%q) = nil, want an error", tt.key)
			}
			if !errors.Is(err, store.ErrInvalidParameter) {
				t.Errorf("ValidateKey(%q) error %v does not match ErrInvalidParameter", tt.key, err)
			}
			if !strings.HasPrefix(err.Error(), "tracking: ") || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("ValidateKey(%q) error %q: want prefix tracking: and %q", tt.key, err, tt.errHas)
			}
		})
	}
}

func TestValidateValues(t *testing.T) {
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"param at limit", ValidateParam("p", strings.Repeat("é", 6000)), true},
		{"param over limit", ValidateParam("p", strings.Repeat("x", 6001)), false},
		{"param bad key", ValidateParam("p?", "v"), false},
		{"tag at limit", ValidateTag("t", strings.Repeat("x", 8000)), true},
		{"tag over limit", ValidateTag("t", strings.Repeat("x", 8001)), false},
		{"metric negative time", ValidateMetric(store.Metric{Key: "m", Timestamp: -1}), false},
		{"metric negative step", ValidateMetric(store.Metric{Key: "m", Step: -5}), true},
		{"experiment empty", ValidateExperimentName(" "), false},
		{"experiment long", ValidateExperimentName(strings.Repeat("e", 501)), false},
		{"experiment ok", ValidateExperimentName("random_forest"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", tt.err, tt.ok)
			}
			if tt.err != nil && !errors.Is(tt.err, store.ErrInvalidParameter) {
				t.Errorf("error %v does not match ErrInvalidParameter", tt.err)
			}
		})
	}
}

func TestValidateBatchParamRepeats(t *testing.T) {
	ps, err := validateBatch(nil, []store.Param{{Key: "a", Value: "1"}, {Key: "a", Value: "1"}, {Key: "b", Value: "2"}}, nil)
	if err != nil || len(ps) != 2 {
		t.Fatalf("exact repeat: got %v, %v; want 2 params and no error", ps, err)
	}
	_, err = validateBatch(nil, []store.Param{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, nil)
	if !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("conflicting repeat: error %v, want INVALID_PARAMETER_VALUE", err)
	}
	_, err = validateBatch([]store.Metric{{Key: "ok"}, {Key: "bad key!"}}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "metrics[1]") || !errors.Is(err, store.ErrInvalidParameter) {
		t.Fatalf("bad metric: error %v, want one naming metrics[1]", err)
	}
}

func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", "é", "a b:c.d-e_f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := ValidateKey("tag", key)
		if err == nil {
			// A valid key must be safe as a relative file name.
			if key == "" || strings.HasPrefix(key, "/") || strings.HasPrefix(key, "..") || strings.Contains(key, "//") || strings.Contains(key, "/../") || strings.HasSuffix(key, "/") {
				t.Fatalf("ValidateKey accepted %q", key)
			}
		} else if !errors.Is(err, store.ErrInvalidParameter) {
			t.Fatalf("ValidateKey(%q) error %v is not INVALID_PARAMETER_VALUE", key, err)
		}
	})
}
