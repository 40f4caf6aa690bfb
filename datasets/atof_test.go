package datasets

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkDecimal holds parseDecimal to strconv.ParseFloat: where it answers,
// it must give the same bits. It reports whether the fast path answered.
func checkDecimal(t *testing.T, s string) bool {
	t.Helper()
	got, ok := parseDecimal([]byte(s))
	if !ok {
		return false
	}
	want, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parseDecimal(%q) = %v, but strconv refuses it: %v", s, got, err)
	}
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseDecimal(%q) = %v (%x), strconv %v (%x)", s, got, math.Float64bits(got), want, math.Float64bits(want))
	}
	return true
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"+1", true}, {"1.", true}, {".5", true}, {"-.5e1", true},
		{"0.1", true}, {"1e19", true}, {"1e-19", true}, {"9007199254740993", true},
		{"0.30000000000000004", true}, {"-0.6741636454821075", true}, {"1234567890123456789", true},
		{"12345678901234567890", false}, {"1e20", true}, {"1e23", false}, {"12345678901234567e10", true}, {"12345678901234567e20", false}, {"1e-40", false},
		// Halfway cases: 2^53+1 lies exactly between two float64s and must
		// round to even; more digits of evidence tip it up, past what the
		// fast path takes.
		{"9007199254740995", true}, {"4503599627370496.5", true}, {"4503599627370497.5", true}, {"9007199254740993.0000001", false},
		{"", false}, {"-", false}, {".", false}, {"e5", false}, {"1e", false}, {"1e+", false},
		{"1x", false}, {"0x1p3", false}, {"inf", false}, {"NaN", false}, {"1_000", false}, {"1.2.3", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if ok := checkDecimal(t, tt.in); ok != tt.ok {
				t.Errorf("parseDecimal(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
		})
	}
}

// TestParseDecimalRandom compares parseDecimal with strconv on random
// numbers in the forms programs write them, and counts what the fast path
// took: one that refused everything would be correct and useless.
func TestParseDecimalRandom(t *testing.T) {
	forms := []struct {
		name   string
		format func(v float64, rng *rand.Rand) string
	}{
		{"shortest g", func(v float64, _ *rand.Rand) string { return strconv.FormatFloat(v, 'g', -1, 64) }},
		{"shortest f", func(v float64, _ *rand.Rand) string { return strconv.FormatFloat(v, 'f', -1, 64) }},
		{"e with 0-18 digits", func(v float64, rng *rand.Rand) string { return strconv.FormatFloat(v, 'e', rng.IntN(19), 64) }},
		{"f with 0-11 digits", func(v float64, rng *rand.Rand) string { return strconv.FormatFloat(v, 'f', rng.IntN(12), 64) }},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 20000
			taken := 0
			for i := 0; i < n; i++ {
				// Magnitudes from 1e-15 to 1e15: what data files hold.
				v := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
				if checkDecimal(t, f.format(v, rng)) {
					taken++
				}
			}
			// The fast path takes every number of at most 19 significant
			// digits whose exponent 128-bit arithmetic covers; at these
			// magnitudes that is most of them, at least half in every form.
			t.Logf("fast path took %d of %d", taken, n)
			if taken < n/2 {
				t.Errorf("fast path took %d of %d numbers, want at least half", taken, n)
			}
		})
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1.5", "-0.6741636454821075", "9007199254740993", "1e-19", "123456789012345678.9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkDecimal(t, s) })
}

func BenchmarkParseDecimal(b *testing.B) {
	in := []byte("-0.6741636454821075")
	for b.Loop() {
		parseDecimal(in)
	}
}

func BenchmarkStrconvParseFloat(b *testing.B) {
	in := []byte("-0.6741636454821075")
	for b.Loop() {
		strconv.ParseFloat(string(in), 64)
	}
}

func TestEightDigits(t *testing.T) {
	tests := []struct {
		s    string
		ok   bool
		want uint64
	}{
		{"12345678", true, 12345678}, {"00000000", true, 0}, {"99999999", true, 99999999}, {"01020304", true, 1020304},
		{"1234567/", false, 0}, {"1234567:", false, 0}, {"1234e678", false, 0}, {"-1234567", false, 0}, {"12 45678", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(tt.s[i])
			}
			if got := eightDigits(w); got != tt.ok {
				t.Errorf("eightDigits(%q) = %v", tt.s, got)
			}
			if tt.ok {
				if got := parseEight(w); got != tt.want {
					t.Errorf("parseEight(%q) = %d", tt.s, got)
				}
			}
		})
	}
}
