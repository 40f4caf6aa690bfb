package tracking

import (
	"errors"
	"fmt"

	"github.com/grove-ml/grove/tracking/store"
)

// ValidateKey checks a metric, param or tag key against MLflow's rules:
// 1 to 250 characters, only letters, digits, '_', '-', '.', ' ', ':' and
// '/', and, because stores may use keys as file names, no key that a path
// would rewrite ("a//b", "./a", "../a", "/a", "a/"). what names the key in
// the error ("metric", "param", "tag"). The rules are store.CheckKey's,
// which grove's server checks with too.
func ValidateKey(what, key string) error { return prefixed(store.CheckKey(what, key)) }

// ValidateParam checks a param's key and that its value has at most 6000
// characters.
func ValidateParam(key, value string) error { return prefixed(store.CheckParam(key, value)) }

// ValidateTag checks a tag's key and that its value has at most 8000
// characters.
func ValidateTag(key, value string) error { return prefixed(store.CheckTag(key, value)) }

// ValidateMetric checks a metric point: its key, and a timestamp that is not
// negative. Any float64 value is fine, NaN and infinities included, as in
// MLflow.
func ValidateMetric(m store.Metric) error { return prefixed(store.CheckMetric(m)) }

// ValidateExperimentName checks a name MLflow would accept for an
// experiment: not empty and at most 500 characters.
func ValidateExperimentName(name string) error { return prefixed(store.CheckExperimentName(name)) }

// prefixed names this package in a check's error, which errors.Is still
// matches with store.ErrInvalidParameter.
func prefixed(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("tracking: %w", err)
}

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
