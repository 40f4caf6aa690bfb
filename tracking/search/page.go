package search

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// EncodePageToken returns the page token MLflow hands out for the page
// that starts offset runs into a search's results: base64 of
// {"offset": offset}, byte for byte as MLflow writes it, so tokens pass
// between grove and MLflow's own servers.
func EncodePageToken(offset int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"offset": %d}`, offset))
}

// DecodePageToken returns the offset a page token holds; an empty token is
// offset 0. Bad tokens fail with MLflow's messages. Fields beside offset
// are ignored, so a store may add its own.
func DecodePageToken(token string) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return 0, invalid("Invalid page token, could not base64-decode")
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		return 0, invalid("Invalid page token, decoded value=%s", pyBytes(b))
	}
	v, _ := fields["offset"]
	if v == nil || v == 0.0 || v == "" || v == false {
		return 0, invalid("Invalid page token, parsed value=%s", string(b))
	}
	var n int
	switch v := v.(type) {
	case float64:
		n = int(v)
	case string:
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			return 0, invalid("Invalid page token, not stringable %s", v)
		}
	default:
		return 0, invalid("Invalid page token, not stringable %v", v)
	}
	if n < 0 {
		return 0, invalid("Invalid page token, parsed value=%s", string(b))
	}
	return n, nil
}

// pyBytes writes b as Python's repr of bytes does.
func pyBytes(b []byte) string {
	var s strings.Builder
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\'' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\t':
			s.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte('\'')
	return s.String()
}
