package pyjson

import (
	"bytes"
	"encoding/json"
	"maps"
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
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
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
