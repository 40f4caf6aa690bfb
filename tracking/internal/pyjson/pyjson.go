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
