package forest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		field string // the field the error must name; "" for a valid Config
	}{
		{"zero", Config{}, ""},
		{"all set", Config{Trees: 1, Criterion: LogLoss, MaxDepth: 3, MinSamplesSplit: 5, MinSamplesLeaf: 2, MaxFeatures: "log2", MaxSamples: "0.5", ClassWeight: "balanced", OOBScore: true, Workers: 2}, ""},
		{"no bootstrap", Config{MaxFeatures: "None", NoBootstrap: true}, ""},
		{"trees", Config{Trees: -1}, "Trees must be at least 1"},
		{"criterion", Config{Criterion: "mse"}, "Criterion must be gini, entropy or log_loss"},
		{"max depth", Config{MaxDepth: -2}, "MaxDepth must be at least 0"},
		{"min samples split", Config{MinSamplesSplit: 1}, "MinSamplesSplit must be at least 2"},
		{"min samples leaf", Config{MinSamplesLeaf: -1}, "MinSamplesLeaf must be at least 1"},
		{"max features word", Config{MaxFeatures: "half"}, "MaxFeatures must be sqrt, log2, all"},
		{"max features above 1", Config{MaxFeatures: "1.5"}, "MaxFeatures must be"},
		{"max features 0", Config{MaxFeatures: "0"}, "MaxFeatures must be"},
		{"max samples 0", Config{MaxSamples: "0.0"}, "MaxSamples must be a count in [1, rows] or a fraction in (0, 1]"},
		{"max samples negative", Config{MaxSamples: "-3"}, "MaxSamples must be"},
		{"max samples no bootstrap", Config{MaxSamples: "0.5", NoBootstrap: true}, "MaxSamples must be empty when NoBootstrap is set"},
		{"min impurity decrease", Config{MinImpurityDecrease: -0.1}, "MinImpurityDecrease must be a finite number at least 0"},
		{"min impurity decrease NaN", Config{MinImpurityDecrease: math.NaN()}, "MinImpurityDecrease"},
		{"class weight", Config{ClassWeight: "auto"}, "ClassWeight must be"},
		{"oob no bootstrap", Config{OOBScore: true, NoBootstrap: true}, "OOBScore needs bootstrap on"},
		{"workers", Config{Workers: -1}, "Workers must be at least 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", tc.cfg, err)
				}
				return
			}
			if !errors.Is(err, ErrBadConfig) || !strings.HasPrefix(err.Error(), "forest: "+tc.field) {
				t.Fatalf("Validate(%+v) = %v, want an ErrBadConfig that starts with %q", tc.cfg, err, "forest: "+tc.field)
			}
		})
	}
}

func TestMaxFeatures(t *testing.T) {
	for _, tc := range []struct {
		v    string
		d    int
		want int
	}{
		{"", 40, 6}, {"sqrt", 20, 4}, {"auto", 64, 8}, {"log2", 64, 6}, {"log2", 1, 1},
		{"all", 30, 30}, {"None", 30, 30}, {"7", 30, 7}, {"0.5", 30, 15}, {"0.01", 30, 1}, {"1.0", 4, 4},
	} {
		t.Run(fmt.Sprintf("%q of %d", tc.v, tc.d), func(t *testing.T) {
			got, err := maxFeatures(tc.v, tc.d)
			if err != nil || got != tc.want {
				t.Errorf("maxFeatures(%q, %d) = %d, %v; want %d", tc.v, tc.d, got, err, tc.want)
			}
		})
	}
}

func TestParams(t *testing.T) {
	want := map[string]string{
		"bootstrap": "True", "ccp_alpha": "0.0", "class_weight": "None", "criterion": "gini",
		"max_depth": "None", "max_features": "sqrt", "max_leaf_nodes": "None", "max_samples": "None",
		"min_impurity_decrease": "0.0", "min_samples_leaf": "1", "min_samples_split": "2",
		"min_weight_fraction_leaf": "0.0", "n_estimators": "100", "n_jobs": "None",
		"oob_score": "False", "random_state": "0", "verbose": "0", "warm_start": "False",
	}
	checkParams(t, Config{}, want)
	want2 := map[string]string{}
	for k, v := range want {
		want2[k] = v
	}
	for k, v := range map[string]string{
		"bootstrap": "False", "class_weight": "balanced", "criterion": "entropy", "max_depth": "12",
		"max_features": "0.5", "max_samples": "None", "min_impurity_decrease": "1e-05",
		"min_samples_leaf": "3", "min_samples_split": "4", "n_estimators": "250", "n_jobs": "2",
		"oob_score": "False", "random_state": "42",
	} {
		want2[k] = v
	}
	checkParams(t, Config{
		Trees: 250, Criterion: Entropy, MaxDepth: 12, MinSamplesSplit: 4, MinSamplesLeaf: 3,
		MaxFeatures: ".50", NoBootstrap: true, MinImpurityDecrease: 1e-5, ClassWeight: "balanced",
		Seed: 42, Workers: 2,
	}, want2)
	if got := (Config{MaxFeatures: "all", MaxSamples: "1000"}).Params(); got["max_features"] != "None" || got["max_samples"] != "1000" {
		t.Errorf("max_features=%s max_samples=%s, want None and 1000", got["max_features"], got["max_samples"])
	}
	if got := New(Config{}).EstimatorName(); got != "RandomForestClassifier" {
		t.Errorf("EstimatorName = %q", got)
	}
}

func checkParams(t *testing.T, cfg Config, want map[string]string) {
	t.Helper()
	got := New(cfg).Params()
	if len(got) != len(want) {
		t.Errorf("%d params, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}
}

func TestPyFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {0.5, "0.5"}, {1e-4, "0.0001"}, {1e-5, "1e-05"}, {2.5e-7, "2.5e-07"},
		{1e16, "1e+16"}, {123456789012345.0, "123456789012345.0"}, {-0.25, "-0.25"}, {0.1, "0.1"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := pyFloat(tc.f); got != tc.want {
				t.Errorf("pyFloat(%v) = %q, want %q", tc.f, got, tc.want)
			}
		})
	}
}
