package datasets

import (
	"math"
	"testing"
)

func TestPyFloat(t *testing.T) {
	// The right-hand sides are what Python's repr prints.
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0.0"}, {1, "1.0"}, {-2, "-2.0"}, {0.1, "0.1"}, {2.5, "2.5"}, {1e-4, "0.0001"},
		{1e-5, "1e-05"}, {-1.5e-7, "-1.5e-07"}, {9999999999999998, "9999999999999998.0"},
		{1e16, "1e+16"}, {1.5e300, "1.5e+300"}, {123456.789, "123456.789"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := pyFloat(tt.v); got != tt.want {
				t.Errorf("pyFloat(%v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestLabelNumber(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		isInt bool
		f     float64
	}{
		{"0", true, true, 0}, {"-0", true, true, 0}, {"+7", true, true, 7}, {"007", true, true, 7},
		{"1.0", true, false, 1}, {"-0.0", true, false, 0}, {".5", true, false, 0.5}, {"1e3", true, false, 1000},
		{"-Infinity", true, false, math.Inf(-1)}, {"99999999999999999999", true, false, 1e20},
		{"0x10", false, false, 0}, {"1_000", false, false, 0}, {"nAn", false, false, 0}, {"+-1", false, false, 0},
		{"one", false, false, 0}, {"", false, false, 0}, {"1e400", false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, i, isInt, ok := labelNumber(tt.in)
			if ok != tt.ok || isInt != tt.isInt || (ok && f != tt.f) || math.Signbit(f) != math.Signbit(tt.f) {
				t.Errorf("labelNumber(%q) = %v, %v, %v, %v; want %v, isInt %v, ok %v", tt.in, f, i, isInt, ok, tt.f, tt.isInt, tt.ok)
			}
			if isInt && float64(i) != f {
				t.Errorf("labelNumber(%q): int %d, float %v", tt.in, i, f)
			}
		})
	}
}
