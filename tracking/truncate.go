package tracking

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/grove-ml/grove/tracking/store"
)

// EnvTruncateLongValues is MLflow's switch for values over its limits:
// true (the default) cuts param values to 6000 characters and tag values to
// 8000 with a warning, false refuses them with INVALID_PARAMETER_VALUE.
const EnvTruncateLongValues = "MLFLOW_TRUNCATE_LONG_VALUES"

// truncateLongValues reads EnvTruncateLongValues as MLflow reads it: true,
// false, 1 or 0 in any case; unset means true.
func truncateLongValues() (bool, error) {
	v := strings.TrimSpace(os.Getenv(EnvTruncateLongValues))
	switch strings.ToLower(v) {
	case "", "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalid("%s must be true, false, 1 or 0, got %q", EnvTruncateLongValues, v)
}

// truncateLong returns params and tags with values over MLflow's limits cut
// to the limit, as MLflow does unless MLFLOW_TRUNCATE_LONG_VALUES is false,
// and one warning per value cut, for the caller to print once the batch is
// known to be valid. The caller's slices are not changed. With truncation
// off the values are returned as given, for validation to refuse.
func truncateLong(where string, params []store.Param, tags []store.Tag) ([]store.Param, []store.Tag, []string, error) {
	// Characters are counted as validateValue counts them; a value of at
	// most limit bytes needs no count.
	long := func(value string, limit int) bool { return len(value) > limit && utf8.RuneCountInString(value) > limit }
	over := false
	for _, p := range params {
		over = over || long(p.Value, store.MaxParamValueLength)
	}
	for _, t := range tags {
		over = over || long(t.Value, store.MaxTagValueLength)
	}
	if !over {
		return params, tags, nil, nil
	}
	on, err := truncateLongValues()
	if err != nil || !on {
		return params, tags, nil, err
	}
	var warnings []string
	warn := func(what, key, value string, limit int) string {
		short := cut(value, limit)
		warnings = append(warnings, fmt.Sprintf("tracking: %s %q %s: value of %d characters (%.40q...) cut to MLflow's limit of %d; %s=false refuses it instead",
			what, key, where, utf8.RuneCountInString(value), value, limit, EnvTruncateLongValues))
		return short
	}
	ps := make([]store.Param, len(params))
	for i, p := range params {
		if long(p.Value, store.MaxParamValueLength) {
			p.Value = warn("param", p.Key, p.Value, store.MaxParamValueLength)
		}
		ps[i] = p
	}
	ts := make([]store.Tag, len(tags))
	for i, t := range tags {
		if long(t.Value, store.MaxTagValueLength) {
			t.Value = warn("tag", t.Key, t.Value, store.MaxTagValueLength)
		}
		ts[i] = t
	}
	return ps, ts, warnings, nil
}

// cut returns the first limit characters of s.
func cut(s string, limit int) string {
	n := 0
	for i := range s {
		if n == limit {
			return s[:i]
		}
		n++
	}
	return s
}
