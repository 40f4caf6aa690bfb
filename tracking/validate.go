package tracking

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// ValidateKey checks a metric, param or tag key against MLflow's rules:
// 1 to 250 characters, only letters, digits, '_', '-', '.', ' ', ':' and
// '/', and, because stores may use keys as file names, no key that a path
// would rewrite ("a//b", "./a", "../a", "/a", "a/"). what names the key in
// the error ("metric", "param", "tag").
func ValidateKey(what, key string) error {
	if key == "" {
		return invalid("%s key is empty: a key name must be given", what)
	}
	if n := utf8.RuneCountInString(key); n > store.MaxKeyLength {
		return invalid("%s key %.40q... is %d characters, more than MLflow's limit of %d", what, key, n, store.MaxKeyLength)
	}
	for i, r := range key {
		if !validKeyRune(r) {
			return invalid("%s key %q has %q at byte %d: keys may only hold letters, digits, "+
				"underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)", what, key, r, i)
		}
	}
	if clean := path.Clean(key); clean != key || clean == "." || strings.HasPrefix(clean, "..") || strings.HasPrefix(clean, "/") {
		return invalid("%s key %q would resolve to %q when used as a file name; MLflow refuses such keys", what, key, clean)
	}
	return nil
}

func validKeyRune(r rune) bool {
	switch r {
	case '_', '-', '.', ' ', ':', '/':
		return true
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// ValidateParam checks a param's key and that its value has at most 6000
// characters.
func ValidateParam(key, value string) error {
	return validateValue("param", key, value, store.MaxParamValueLength)
}

// ValidateTag checks a tag's key and that its value has at most 8000
// characters.
func ValidateTag(key, value string) error {
	return validateValue("tag", key, value, store.MaxTagValueLength)
}

// validateValue checks the key of a param or tag (what) and that its value
// has at most limit characters.
func validateValue(what, key, value string, limit int) error {
	if err := ValidateKey(what, key); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return invalid("%s %q value is %d characters, more than MLflow's limit of %d", what, key, n, limit)
	}
	return nil
}

// ValidateMetric checks a metric point: its key, and a timestamp that is not
// negative. Any float64 value is fine, NaN and infinities included, as in
// MLflow.
func ValidateMetric(m store.Metric) error {
	if err := ValidateKey("metric", m.Key); err != nil {
		return err
	}
	if m.Timestamp < 0 {
		return invalid("metric %q timestamp %d is negative; timestamps are ms since the Unix epoch", m.Key, m.Timestamp)
	}
	return nil
}

// ValidateExperimentName checks a name MLflow would accept for an
// experiment: not empty and at most 500 characters.
func ValidateExperimentName(name string) error {
	if strings.TrimSpace(name) == "" {
		return invalid("experiment name is empty")
	}
	if n := utf8.RuneCountInString(name); n > maxExperimentNameLength {
		return invalid("experiment name is %d characters, more than MLflow's limit of %d", n, maxExperimentNameLength)
	}
	return nil
}

// maxExperimentNameLength is MLflow's limit on experiment names.
const maxExperimentNameLength = 500

// invalid returns an INVALID_PARAMETER_VALUE error, as MLflow would report
// it, that errors.Is matches with store.ErrInvalidParameter.
func invalid(format string, args ...any) error {
	return fmt.Errorf("tracking: %w", store.Errorf(store.CodeInvalidParameter, format, args...))
}

// at says which item of a batch an error is about.
func at(list string, i int, err error) error {
	return fmt.Errorf("tracking: %s[%d]: %w", list, i, errors.Unwrap(err))
}

// validateBatch checks every item and refuses a param key given twice with
// different values (MLflow refuses any repeat; an exact repeat is dropped
// here since it changes nothing).
func validateBatch(metrics []store.Metric, params []store.Param, tags []store.Tag) ([]store.Param, error) {
	for i, m := range metrics {
		if err := ValidateMetric(m); err != nil {
			return nil, at("metrics", i, err)
		}
	}
	seen := make(map[string]string, len(params))
	uniq := params[:0:0]
	for i, p := range params {
		if err := ValidateParam(p.Key, p.Value); err != nil {
			return nil, at("params", i, err)
		}
		if v, ok := seen[p.Key]; ok {
			if v != p.Value {
				return nil, invalid("param %q given twice with different values %q and %q; a run's params never change", p.Key, v, p.Value)
			}
			continue
		}
		seen[p.Key] = p.Value
		uniq = append(uniq, p)
	}
	for i, t := range tags {
		if err := ValidateTag(t.Key, t.Value); err != nil {
			return nil, at("tags", i, err)
		}
	}
	return uniq, nil
}
