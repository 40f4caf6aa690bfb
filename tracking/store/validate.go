package store

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxExperimentNameLength is MLflow's limit on experiment names.
const MaxExperimentNameLength = 500

// CheckKey checks a metric, param or tag key against MLflow's rules: 1 to
// 250 characters, only letters, digits, '_', '-', '.', ' ', ':' and '/',
// and, because stores may use keys as file names, no key that a path would
// rewrite ("a//b", "./a", "../a", "/a", "a/"). what names the key in the
// error ("metric", "param", "tag"). The client (package tracking) and the
// server (package tracking/server) both check with it.
func CheckKey(what, key string) error {
	if key == "" {
		return Errorf(CodeInvalidParameter, "%s key is empty: a key name must be given", what)
	}
	if n := utf8.RuneCountInString(key); n > MaxKeyLength {
		return Errorf(CodeInvalidParameter, "%s key %.40q... is %d characters, more than MLflow's limit of %d", what, key, n, MaxKeyLength)
	}
	for i, r := range key {
		if !validKeyRune(r) {
			return Errorf(CodeInvalidParameter, "%s key %q has %q at byte %d: keys may only hold letters, digits, "+
				"underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)", what, key, r, i)
		}
	}
	if clean := path.Clean(key); clean != key || clean == "." || strings.HasPrefix(clean, "..") || strings.HasPrefix(clean, "/") {
		return Errorf(CodeInvalidParameter, "%s key %q would resolve to %q when used as a file name; MLflow refuses such keys", what, key, clean)
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

// CheckParam checks a param's key and that its value has at most 6000
// characters.
func CheckParam(key, value string) error {
	if err := CheckKey("param", key); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(value); n > MaxParamValueLength {
		return Errorf(CodeInvalidParameter, "param %q value is %d characters, more than MLflow's limit of %d", key, n, MaxParamValueLength)
	}
	return nil
}

// CheckTag checks a tag's key and that its value has at most 8000
// characters.
func CheckTag(key, value string) error {
	if err := CheckKey("tag", key); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(value); n > MaxTagValueLength {
		return Errorf(CodeInvalidParameter, "tag %q value is %d characters, more than MLflow's limit of %d", key, n, MaxTagValueLength)
	}
	return nil
}

// CheckMetric checks a metric point: its key, and a timestamp that is not
// negative. Any float64 value is fine, NaN and infinities included, as in
// MLflow.
func CheckMetric(m Metric) error {
	if err := CheckKey("metric", m.Key); err != nil {
		return err
	}
	if m.Timestamp < 0 {
		return Errorf(CodeInvalidParameter, "metric %q timestamp %d is negative; timestamps are ms since the Unix epoch", m.Key, m.Timestamp)
	}
	return nil
}

// CheckExperimentName checks a name MLflow would accept for an experiment:
// not empty and at most 500 characters.
func CheckExperimentName(name string) error {
	if strings.TrimSpace(name) == "" {
		return Errorf(CodeInvalidParameter, "experiment name is empty")
	}
	if n := utf8.RuneCountInString(name); n > MaxExperimentNameLength {
		return Errorf(CodeInvalidParameter, "experiment name is %d characters, more than MLflow's limit of %d", n, MaxExperimentNameLength)
	}
	return nil
}
