// Package pyjson writes the small JSON values MLflow stores as text (model
// signatures, dataset schemas and sources) the way MLflow's Python code
// writes them with json.dumps: ", " and ": " between items, and no HTML
// escaping, so a feature named "a<b" is stored as "a<b", not "a\u003cb".
//
// Unlike json.dumps by default, characters outside ASCII are written as
// themselves, not as \u escapes; both spellings decode to the same text.
package pyjson

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// String returns s as a JSON string literal.
func String(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// Object returns m as a JSON object of strings with its keys sorted, so the
// same map always gives the same text.
func Object(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(String(k))
		b.WriteString(": ")
		b.WriteString(String(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}
