package datasets

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// pow10u holds 10^0 .. 10^19, every power of ten that fits in a uint64.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// pow10f holds 10^0 .. 10^22, every power of ten a float64 holds exactly.
var pow10f = func() (p [23]float64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// parseDecimal parses the plain decimal numbers that fill almost every CSV
// file ("-0.6741636454821075", "12", "3.5e-05") correctly rounded, several
// times faster than strconv.ParseFloat, which spends most of a large load
// scanning digits it must also check for underscores, hex and infinities.
// It reports ok=false for anything else (more than 19 significant digits,
// exponents beyond what 128-bit arithmetic covers exactly, hex, inf, nan,
// junk), and the caller falls back to strconv for the verdict.
//
// The value is m * 10^e with m < 2^64. For e >= 0 the product is an exact
// 128-bit integer; for e < 0 a 128-by-64-bit division gives a quotient of at
// least 63 bits and a remainder, whose being non-zero is all that rounding
// to nearest-even needs beyond the quotient's own bits.
func parseDecimal(b []byte) (v float64, ok bool) {
	i := 0
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var m uint64
	digits := 0 // significant digits in m
	exp := 0
	sawDigit := false
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		sawDigit = true
		if m == 0 && c == 0 {
			continue
		}
		if digits == 19 {
			return 0, false
		}
		m = m*10 + uint64(c)
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		// Most of a full-precision number is its fraction: take eight
		// digits at a time while they fit in m.
		if m != 0 {
			for digits <= 11 && i+8 <= len(b) {
				w := binary.LittleEndian.Uint64(b[i:])
				if !eightDigits(w) {
					break
				}
				m = m*100_000_000 + parseEight(w)
				digits += 8
				exp -= 8
				i += 8
				sawDigit = true
			}
		}
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			sawDigit = true
			exp--
			if m == 0 && c == 0 {
				continue
			}
			if digits == 19 {
				return 0, false
			}
			m = m*10 + uint64(c)
			digits++
		}
	}
	if !sawDigit {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, false
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 || e > 1000 {
				return 0, false
			}
			e = e*10 + int(c)
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(b) {
		return 0, false
	}
	switch {
	case m == 0:
		v = 0
	case m < 1<<53 && exp >= -22 && exp <= 22:
		// Clinger's fast path: m and 10^|exp| are exact float64s, so one
		// IEEE multiplication or division rounds correctly by itself.
		if exp < 0 {
			v = float64(m) / pow10f[-exp]
		} else {
			v = float64(m) * pow10f[exp]
		}
	case exp >= 0 && exp < len(pow10u):
		hi, lo := bits.Mul64(m, pow10u[exp])
		v = round128(hi, lo, false, 0)
	case exp < 0 && -exp < len(pow10u):
		d := pow10u[-exp]
		// Shift m so the quotient has 63 or 64 bits: numerator below
		// 2^(63+len(d)) keeps it under 2^64, as Div64 requires.
		s := 63 + bits.Len64(d) - bits.Len64(m)
		var hi, lo uint64
		if s >= 64 {
			hi, lo = m<<(s-64), 0
		} else {
			hi, lo = m>>(64-s), m<<s
		}
		q, r := bits.Div64(hi, lo, d)
		v = round128(0, q, r != 0, -s)
	default:
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// round128 rounds (hi<<64 | lo) * 2^shift to the nearest float64, ties to
// even; sticky says that non-zero bits lie below lo. The callers keep the
// result well inside the normal range.
func round128(hi, lo uint64, sticky bool, shift int) float64 {
	n := bits.Len64(lo)
	if hi != 0 {
		n = 64 + bits.Len64(hi)
	}
	if n <= 53 {
		// Exact: a product that fits. (A quotient, the only caller with
		// sticky bits, always has 63 bits or more.)
		return float64(lo) * pow2(shift)
	}
	drop := n - 53 // bits below the 53 kept
	var mant, rest, half uint64
	below := sticky // non-zero bits under rest
	switch {
	case drop < 64:
		mant = lo>>drop | hi<<(64-drop)
		rest = lo & (1<<drop - 1)
		half = 1 << (drop - 1)
	case drop == 64:
		mant, rest, half = hi, lo, 1<<63
	default:
		mant = hi >> (drop - 64)
		rest = hi & (1<<(drop-64) - 1)
		half = 1 << (drop - 65)
		below = below || lo != 0
	}
	if rest > half || rest == half && (below || mant&1 == 1) {
		mant++
		if mant == 1<<53 {
			mant >>= 1
			drop++
		}
	}
	// mant has exactly 53 bits: its top bit is the implicit one.
	e := 1023 + 52 + shift + drop
	return math.Float64frombits(uint64(e)<<52 | mant&(1<<52-1))
}

// pow2 returns 2^e for e in the normal range, built from its bits.
func pow2(e int) float64 { return math.Float64frombits(uint64(1023+e) << 52) }

// eightDigits reports whether the eight bytes of w (little-endian) are all
// ASCII digits: each byte's high nibble must be 3, and adding 6 must not
// carry into it (which a byte above '9' would).
func eightDigits(w uint64) bool {
	const hi = 0xF0F0F0F0F0F0F0F0
	return w&hi|(w+0x0606060606060606)&hi>>4 == 0x3333333333333333
}

// parseEight turns eight ASCII digits (the first in the lowest byte) into
// their value, combining pairs, then quads, then the two halves.
func parseEight(w uint64) uint64 {
	w &= 0x0F0F0F0F0F0F0F0F
	w = w * (10<<8 + 1) >> 8 & 0x00FF00FF00FF00FF
	w = w * (100<<16 + 1) >> 16 & 0x0000FFFF0000FFFF
	return w * (10000<<32 + 1) >> 32
}
