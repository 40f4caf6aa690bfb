package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/grove-ml/grove/internal/cli"
)

func TestParseSizes(t *testing.T) {
	tests := []struct {
		in   string
		want []float64
		err  string
	}{
		{"0.3,0.2,0.1,0.05,0.01", DefaultSizes, ""},
		{" 0.5 , 0.25", []float64{0.5, 0.25}, ""},
		{"0.3,1", nil, `every size must be in (0, 1), got "1"`},
		{"0.3,,0.1", nil, `got ""`},
		{"half", nil, `got "half"`},
	}
	for _, tt := range tests {
		got, err := parseSizes(tt.in)
		if tt.err != "" {
			var ue *cli.UsageError
			if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseSizes(%q) error %v, want a usage error holding %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The sweep refuses bad command lines before it opens a store or builds
// anything.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-parallel", "0"}, "-parallel must be at least 1, got 0"},
		{[]string{"-sizes", "0.2,2"}, "every size must be in (0, 1)"},
		{[]string{"--", "-test-size", "0.5"}, "-test-size is set by the sweep itself"},
		{[]string{"--", "-no-track"}, "-no-track is set by the sweep itself"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := run(context.Background(), tt.args, &out, &errb)
		var ue *cli.UsageError
		if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("sweep %q: error %v, want a usage error holding %q", tt.args, err, tt.want)
		}
	}
}
