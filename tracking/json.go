package tracking

import (
	"bytes"
	"encoding/json"
)

// jsonString returns s as a JSON string literal, without HTML escaping so
// that feature names such as "a<b" stay readable.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
