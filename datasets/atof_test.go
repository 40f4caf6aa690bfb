package datasets

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkDecimal holds parseDecimal to strconv.ParseFloat: where it answers,
// it must give the same bits.
func checkDecimal(t *testing.T, s string) {
	t.Helper()
	got, ok := parseDecimal([]byte(s))
	if !ok {
		return
	}
	want, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parseDecimal(%q) = %v, but strconv refuses it: %v", s, got, err)
	}
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseDecimal(%q) = %v (%x), strconv %v (%x)", s, got, math.Float64bits(got), want, math.Float64bits(want))
	}
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
		{"", false}, {"-", false}, {".", false}, {"e5", false}, {"1e", false}, {"1e+", false},
		{"1x", false}, {"0x1p3", false}, {"inf", false}, {"NaN", false}, {"1_000", false}, {"1.2.3", false},
	}
	for _, tt := range tests {
		_, ok := parseDecimal([]byte(tt.in))
		if ok != tt.ok {
			t.Errorf("parseDecimal(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
		checkDecimal(t, tt.in)
	}
	// Halfway cases: 2^53+1 lies exactly between two float64s and must
	// round to even; one more digit of evidence tips it up.
	for _, s := range []string{"9007199254740993", "9007199254740993.0000001", "9007199254740995", "4503599627370496.5", "4503599627370497.5"} {
		checkDecimal(t, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50000; i++ {
		v := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
		checkDecimal(t, strconv.FormatFloat(v, 'g', -1, 64))
		checkDecimal(t, strconv.FormatFloat(v, 'f', -1, 64))
		checkDecimal(t, strconv.FormatFloat(v, 'e', rng.IntN(19), 64))
		checkDecimal(t, strconv.FormatFloat(v, 'f', rng.IntN(12), 64))
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
	}
}
