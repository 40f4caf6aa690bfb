package forest

import "math/bits"

// rng is a small xoshiro256** generator. grove carries its own instead of
// math/rand so that a model file made with one Go release is made bit for
// bit the same by the next.
type rng struct{ s [4]uint64 }

// splitmix64 advances x and returns a well-mixed word; it turns the seed
// and a tree index into independent xoshiro states.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newTreeRNG derives tree t's stream from the forest seed, so a tree's draws
// do not depend on which worker grows it or when.
func newTreeRNG(seed int64, tree int) *rng {
	x := uint64(seed)
	splitmix64(&x)
	x ^= uint64(tree) * 0xd1342543de82ef95
	r := &rng{}
	for i := range r.s {
		r.s[i] = splitmix64(&x)
	}
	return r
}

func (r *rng) next() uint64 {
	s := &r.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// intn returns a uniform integer in [0, n) by Lemire's multiply-and-reject,
// without modulo bias. n must be positive.
func (r *rng) intn(n int) int {
	bound := uint64(n)
	hi, lo := bits.Mul64(r.next(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(r.next(), bound)
		}
	}
	return int(hi)
}
