package store

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestGenerateRunNameShape(t *testing.T) {
	shape := regexp.MustCompile(`^([a-z]+)-([a-z]+)-(\d{1,3})$`)
	seen := map[string]bool{}
	for range 2000 {
		n := GenerateRunName()
		m := shape.FindStringSubmatch(n)
		if m == nil {
			t.Fatalf("GenerateRunName() = %q, want adjective-noun-number", n)
		}
		if len(n) > MaxGeneratedNameLength {
			t.Fatalf("GenerateRunName() = %q, %d characters, want at most %d", n, len(n), MaxGeneratedNameLength)
		}
		if !slices.Contains(nameAdjectives, m[1]) || !slices.Contains(nameNouns, m[2]) {
			t.Fatalf("GenerateRunName() = %q, words not from the lists", n)
		}
		seen[n] = true
	}
	// 56 adjectives × 70 nouns × 1000 numbers: 2000 draws collide rarely; many
	// repeats would mean the randomness is broken.
	if len(seen) < 1900 {
		t.Errorf("GenerateRunName() gave %d distinct names in 2000 draws", len(seen))
	}
}

// TestNameWordsFitCap holds the word lists to the cap: every word must be
// usable with every partner and the largest number, or GenerateRunName would
// silently skip some words and retry more than it should.
func TestNameWordsFitCap(t *testing.T) {
	for _, list := range [][]string{nameAdjectives, nameNouns} {
		seen := map[string]bool{}
		for _, w := range list {
			if w == "" || strings.ToLower(w) != w || strings.ContainsAny(w, "- ") {
				t.Errorf("word %q: want lowercase letters only", w)
			}
			if seen[w] {
				t.Errorf("word %q listed twice", w)
			}
			seen[w] = true
		}
	}
	longest := func(ws []string) string {
		return slices.MaxFunc(ws, func(a, b string) int { return len(a) - len(b) })
	}
	if n := longest(nameAdjectives) + "-" + longest(nameNouns) + "-999"; len(n) > MaxGeneratedNameLength {
		t.Errorf("%q has %d characters, over the cap of %d", n, len(n), MaxGeneratedNameLength)
	}
}

func TestCreateRunRequestNameAndTags(t *testing.T) {
	tests := []struct {
		name    string
		req     CreateRunRequest
		want    string // "" means a generated name
		wantErr bool
	}{
		{"request name", CreateRunRequest{RunName: "a", Tags: []Tag{{Key: "k", Value: "v"}}}, "a", false},
		{"tag name", CreateRunRequest{Tags: []Tag{{Key: TagRunName, Value: "b"}}}, "b", false},
		{"both agree", CreateRunRequest{RunName: "c", Tags: []Tag{{Key: TagRunName, Value: "c"}}}, "c", false},
		{"both differ", CreateRunRequest{RunName: "c", Tags: []Tag{{Key: TagRunName, Value: "d"}}}, "", true},
		{"neither", CreateRunRequest{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.req.Tags)
			name, tags, err := tt.req.NameAndTags()
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidParameter) {
					t.Fatalf("error %v, want ErrInvalidParameter", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && name != tt.want || name == "" {
				t.Errorf("name %q, want %q", name, tt.want)
			}
			var named []string
			for _, tg := range tags {
				if tg.Key == TagRunName {
					named = append(named, tg.Value)
				}
			}
			if len(named) != 1 || named[0] != name {
				t.Errorf("tags %v name the run %v, want once as %q", tags, named, name)
			}
			if !slices.Equal(tt.req.Tags, orig) {
				t.Errorf("request tags changed to %v", tt.req.Tags)
			}
		})
	}
}
