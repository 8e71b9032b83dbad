package eval

import (
	"math/bits"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// permutation returns a permutation of 0…n-1 drawn from the Philox stream (seed, stream):
// Fisher–Yates with the i-th swap index taken from the i-th 64-bit draw by multiply-shift,
// whose bias (below n/2⁶⁴) does not matter for a shuffle. It depends on nothing but its
// arguments, so a run is reproducible across Go versions.
func permutation(n int, seed, stream uint64) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	key := [2]uint32{uint32(seed), uint32(seed >> 32)}
	for i := n - 1; i > 0; i-- {
		r := ref.Philox4x32([4]uint32{uint32(i), uint32(uint64(i) >> 32), uint32(stream),
			uint32(stream >> 32)}, key)
		j, _ := bits.Mul64(uint64(r[0])<<32|uint64(r[1]), uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
