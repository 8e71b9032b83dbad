package ref

import (
	"math"
	"math/bits"
)

// Philox4x32-10 constants (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): the two round multipliers and the two Weyl key increments.
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox4x32 is the counter-based generator Philox4x32-10: ten rounds of the Philox
// bijection of ctr under key. Equal inputs give equal outputs on every device, which is
// what lets the CPU and the GPU draw the same noise.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	for r := 0; r < 10; r++ {
		if r > 0 {
			key[0] += philoxW0
			key[1] += philoxW1
		}
		hi0, lo0 := bits.Mul32(philoxM0, ctr[0])
		hi1, lo1 := bits.Mul32(philoxM1, ctr[2])
		ctr = [4]uint32{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
	}
	return ctr
}

// Normal returns the i-th standard normal number of a stream under seed.
//
// Block b = i/4 draws r = Philox4x32({lo(b), hi(b), lo(stream), hi(stream)},
// {lo(seed), hi(seed)}). Each word becomes a uniform u_j = (r_j>>8 + 0.5)·2⁻²⁴ in (0, 1),
// and Box–Muller turns (u0, u1) into n0 = √(−2 ln u0)·cos(2π u1), n1 = …·sin(2π u1), and
// (u2, u3) into n2, n3. The result is n_{i mod 4}, computed in float64 and rounded once to
// float32; a float32 implementation (the GPU's) agrees to a few ulps.
func Normal(seed, stream, i uint64) float32 {
	n := normalBlock(seed, stream, i/4)
	return n[i%4]
}

// FillNormal sets dst[i] = Normal(seed, stream, i) for every i.
func FillNormal(dst []float32, seed, stream uint64) {
	for b := 0; b*4 < len(dst); b++ {
		n := normalBlock(seed, stream, uint64(b))
		copy(dst[b*4:], n[:])
	}
}

// normalBlock returns the four normals of block b.
func normalBlock(seed, stream, b uint64) [4]float32 {
	ctr := [4]uint32{uint32(b), uint32(b >> 32), uint32(stream), uint32(stream >> 32)}
	r := Philox4x32(ctr, [2]uint32{uint32(seed), uint32(seed >> 32)})
	var n [4]float32
	for j := 0; j < 4; j += 2 {
		u0 := (float64(r[j]>>8) + 0.5) * 0x1p-24
		u1 := (float64(r[j+1]>>8) + 0.5) * 0x1p-24
		rad := math.Sqrt(-2 * math.Log(u0))
		s, c := math.Sincos(2 * math.Pi * u1)
		n[j], n[j+1] = float32(rad*c), float32(rad*s)
	}
	return n
}

// NormalizeU8 maps pixels 0…255 to [-1, 1] as torchvision's ToTensor followed by
// Normalize(0.5, 0.5) does: dst[i] = (src[i]/255 − 0.5)/0.5, in float32 arithmetic.
func NormalizeU8(src []uint8, dst []float32) {
	if len(dst) < len(src) {
		panic("ref: NormalizeU8 dst shorter than src")
	}
	for i, v := range src {
		dst[i] = u8Lut[v]
	}
}

// u8Lut holds NormalizeU8 of every byte value.
var u8Lut = func() (lut [256]float32) {
	for v := range lut {
		lut[v] = (float32(v)/255 - 0.5) / 0.5
	}
	return lut
}()
