package ref

import (
	"math"
	"testing"
)

func TestPhiloxKnownAnswers(t *testing.T) {
	// Random123's kat_vectors for philox4x32 with 10 rounds (Salmon et al. 2011); the same
	// three were reproduced by an independent Python implementation.
	for _, c := range []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{}, [2]uint32{}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
			[2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
			[2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := Philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

func TestNormalFollowsContract(t *testing.T) {
	// Rebuild a few draws from the contract's recipe, spelled out independently.
	seed, stream := uint64(0x0123456789abcdef), uint64(1<<62+5)
	for _, i := range []uint64{0, 1, 2, 3, 4, 7, 1 << 33} {
		b := i / 4
		r := Philox4x32([4]uint32{uint32(b), uint32(b >> 32), uint32(stream),
			uint32(stream >> 32)}, [2]uint32{uint32(seed), uint32(seed >> 32)})
		j := int(i % 4 / 2 * 2)
		u0 := (float64(r[j]>>8) + 0.5) / (1 << 24)
		u1 := (float64(r[j+1]>>8) + 0.5) / (1 << 24)
		want := math.Sqrt(-2*math.Log(u0)) * math.Cos(2*math.Pi*u1)
		if i%2 == 1 {
			want = math.Sqrt(-2*math.Log(u0)) * math.Sin(2*math.Pi*u1)
		}
		if got := Normal(seed, stream, i); got != float32(want) {
			t.Errorf("Normal(…, %d) = %g, want %g", i, got, want)
		}
	}
}

func TestFillNormal(t *testing.T) {
	const n = 1<<16 + 3 // not a multiple of 4: the last block is cut
	v := make([]float32, n)
	FillNormal(v, 7, 3)
	for _, i := range []int{0, 1, 2, 3, 4, 1000, n - 1} {
		if v[i] != Normal(7, 3, uint64(i)) {
			t.Fatalf("FillNormal[%d] = %g, Normal = %g", i, v[i], Normal(7, 3, uint64(i)))
		}
	}

	// Moments of 65539 draws: the standard errors are 0.004 (mean), 0.006 (variance),
	// 0.01 (third moment) and 0.04 (fourth); the bounds are about five of them.
	var s1, s2, s3, s4 float64
	for _, x := range v {
		f := float64(x)
		s1 += f
		s2 += f * f
		s3 += f * f * f
		s4 += f * f * f * f
	}
	mean, m2, m3, m4 := s1/n, s2/n, s3/n, s4/n
	if math.Abs(mean) > 0.02 || math.Abs(m2-1) > 0.03 || math.Abs(m3) > 0.05 ||
		math.Abs(m4-3) > 0.2 {
		t.Errorf("moments %.4f %.4f %.4f %.4f, want 0 1 0 3", mean, m2, m3, m4)
	}

	// Other streams and seeds give other numbers.
	w := make([]float32, 8)
	for _, c := range []struct{ seed, stream uint64 }{{7, 4}, {8, 3}, {7, 3 + 1<<32}} {
		FillNormal(w, c.seed, c.stream)
		same := 0
		for i := range w {
			if w[i] == v[i] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("seed %d stream %d repeats %d numbers of seed 7 stream 3",
				c.seed, c.stream, same)
		}
	}
}

func TestNormalizeU8(t *testing.T) {
	src := []uint8{0, 255, 128, 51}
	dst := make([]float32, 4)
	NormalizeU8(src, dst)
	checkClose(t, "dst", dst, []float64{-1, 1, 128.0/255*2 - 1, 51.0/255*2 - 1},
		tol{Abs: 2e-7})
}
