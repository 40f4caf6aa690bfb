package pyjson

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "sepal length (cm)", `"sepal length (cm)"`},
		{"html", "a<b & c>d", `"a<b & c>d"`},
		{"quote and backslash", `q"\`, `"q\"\\"`},
		{"control", "a\nb\x01", `"a\nb\u0001"`},
		{"non-ascii", "é", `"é"`},
		{"line separator", "\u2028", `"\u2028"`},
		{"invalid utf-8", "\xff", `"\ufffd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q) = %s, want %s", tt.in, got, tt.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Errorf("String(%q) = %s does not decode: %v", tt.in, got, err)
			}
		})
	}
}

func TestObject(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want string
	}{
		{"empty", nil, `{}`},
		{"sorted and spaced", map[string]string{"uri": "/data/a<b.csv", "name": "x"}, `{"name": "x", "uri": "/data/a<b.csv"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Object(tt.in); got != tt.want {
				t.Errorf("Object(%v) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a<b", `"`, "\x00", "é", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal([]byte(String(s)), &back); err != nil {
			t.Fatalf("String(%q) does not decode: %v", s, err)
		}
		if want := string([]rune(s)); back != want {
			t.Errorf("String(%q) decodes to %q", s, back)
		}
	})
}
