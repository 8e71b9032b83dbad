//go:build cgo

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// ulps returns how many float32 values lie between a and b (0 when equal, +0 == -0).
func ulps(a, b float32) int64 {
	ord := func(f float32) int64 {
		u := math.Float32bits(f)
		i := int64(u & 0x7fffffff)
		if u>>31 != 0 {
			return -i
		}
		return i
	}
	d := ord(a) - ord(b)
	if d < 0 {
		return -d
	}
	return d
}

func TestPhiloxKnownAnswers(t *testing.T) {
	// Known-answer vectors of Philox4x32-10 published with the Random123 library.
	cases := []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0},
			[4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
			[2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
			[2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	}
	for _, c := range cases {
		if got := HostPhilox(c.ctr, c.key); got != c.want {
			t.Errorf("HostPhilox(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

func TestPhiloxMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for k := 0; k < 10000; k++ {
		ctr := [4]uint32{r.Uint32(), r.Uint32(), r.Uint32(), r.Uint32()}
		key := [2]uint32{r.Uint32(), r.Uint32()}
		if got, want := HostPhilox(ctr, key), ref.Philox4x32(ctr, key); got != want {
			t.Fatalf("HostPhilox(%08x, %08x) = %08x, ref %08x", ctr, key, got, want)
		}
	}
}

// TestNormalMatchesRef checks the noise against ref.Normal over the streams a run uses (step
// streams, the fixed-noise and init streams) and block indices past 2^32, where the high
// counter word is used.
//
// Tolerance: 1 ulp. Both sides compute in double and round once to float32, so they differ
// only where log, sqrt, sin or cos of the C library and of Go's math part in the last double
// bit AND that bit decides a float32 rounding: a chance near 2^-29 per number. The same bound
// holds for the GPU, whose double log, sin and cos are within 1-2 double ulp (CUDA's
// documented bounds). A float32 path (logf, cosf) would be off by several ulp, and more near
// the zeros of cos, which is why the kernel spends double arithmetic on a few thousand numbers.
func TestNormalMatchesRef(t *testing.T) {
	var worst int64
	differ, total := 0, 0
	for _, seed := range []uint64{0, 1, 0xdeadbeefcafef00d} {
		for _, stream := range []uint64{0, 1, 1<<61 + 7, 1 << 62, math.MaxUint64} {
			for _, start := range []uint64{0, 1<<34 - 64} {
				for i := start; i < start+20000; i++ {
					got, want := HostNormal(seed, stream, i), ref.Normal(seed, stream, i)
					u := ulps(got, want)
					if u > 1 || math.IsNaN(float64(got)) {
						t.Fatalf("HostNormal(%d, %d, %d) = %g, ref %g (%d ulp)",
							seed, stream, i, got, want, u)
					}
					worst = max(worst, u)
					if u != 0 {
						differ++
					}
					total++
				}
			}
		}
	}
	t.Logf("%d of %d normals differ from ref.Normal, by at most %d ulp", differ, total, worst)
	if differ*10000 > total {
		t.Errorf("%d of %d normals differ from ref.Normal: more than chance allows", differ, total)
	}
}

func TestNoiseNormalScales(t *testing.T) {
	const n = 1003 // not a multiple of 4: the last block is cut short
	const seed, stream = 42, 7
	plain := make([]float32, n)
	HostNoiseNormal(plain, seed, stream, 0, 1)
	for i, v := range plain {
		if want := HostNormal(seed, stream, uint64(i)); v != want {
			t.Fatalf("noise[%d] = %g with mean 0 std 1, want Normal %g", i, v, want)
		}
	}

	scaled := make([]float32, n+1)
	scaled[n] = 123 // past the end: must stay
	HostNoiseNormal(scaled[:n], seed, stream, 1, 0.02)
	for i, v := range scaled[:n] {
		if want := float32(1) + float32(0.02)*plain[i]; v != want {
			t.Fatalf("noise[%d] = %g with mean 1 std 0.02, want %g", i, v, want)
		}
	}
	if scaled[n] != 123 {
		t.Errorf("HostNoiseNormal wrote past n: %g", scaled[n])
	}
}

func TestNormalMoments(t *testing.T) {
	const n = 1 << 16
	z := make([]float32, n)
	HostNoiseNormal(z, 9, 3, 0, 1)
	var sum, sq float64
	for _, v := range z {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean, variance := sum/n, sq/n-(sum/n)*(sum/n)
	// Five standard errors: the mean's is 1/√n, the variance's √(2/n).
	if math.Abs(mean) > 5/math.Sqrt(n) || math.Abs(variance-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("noise mean %g variance %g over %d numbers, want 0 and 1", mean, variance, n)
	}
}

// activationInputs returns special values and random ones over the range activations see.
func activationInputs() []float32 {
	xs := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-30, -1e-30, 1e-45, -1e-45,
		0.5, -0.5, 9, -9, 20, -20, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1))}
	r := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 200000; k++ {
		xs = append(xs, float32(r.NormFloat64()*3))
	}
	return xs
}

func TestActivationsMatchRef(t *testing.T) {
	const slope = 0.2
	xs := activationInputs()
	dys := make([]float32, len(xs))
	r := rand.New(rand.NewPCG(7, 8))
	for i := range dys {
		dys[i] = float32(r.NormFloat64())
	}
	n := len(xs)
	y, dx := make([]float32, n), make([]float32, n)

	ref.ReLUForward(xs, y)
	ref.ReLUBackward(y, dys, dx)
	for i, x := range xs {
		if got := HostReLUForward(x); got != y[i] {
			t.Fatalf("relu_forward(%g) = %g, ref %g", x, got, y[i])
		}
		if got := HostReLUBackward(y[i], dys[i]); got != dx[i] {
			t.Fatalf("relu_backward(%g, %g) = %g, ref %g", y[i], dys[i], got, dx[i])
		}
	}

	ref.LeakyReLUForward(xs, y, slope)
	ref.LeakyReLUBackward(xs, dys, dx, slope)
	for i, x := range xs {
		if got := HostLeakyReLUForward(x, slope); got != y[i] {
			t.Fatalf("leaky_relu_forward(%g) = %g, ref %g", x, got, y[i])
		}
		if got := HostLeakyReLUBackward(x, dys[i], slope); got != dx[i] {
			t.Fatalf("leaky_relu_backward(%g, %g) = %g, ref %g", x, dys[i], got, dx[i])
		}
		// In place, the backward sees the output, which has the input's sign for slope > 0.
		if got := HostLeakyReLUBackward(y[i], dys[i], slope); got != dx[i] {
			t.Fatalf("leaky_relu_backward on the output %g = %g, ref %g", y[i], got, dx[i])
		}
	}

	// Tanh forward: the C library's tanhf against ref's float64 tanh rounded once. glibc's
	// tanhf is within 2 ulp (measured here over 2e5 inputs); CUDA documents 2 ulp for its
	// tanhf, so a GPU is within 3 ulp of ref. The backward is float32 arithmetic with one
	// fused multiply-add on both sides: exact. (ref emulates the fma in float64, which rounds
	// twice and could differ by 1 ulp in a halfway case; these inputs hit none.)
	ref.TanhForward(xs, y)
	ref.TanhBackward(y, dys, dx)
	for i, x := range xs {
		if got := HostTanhForward(x); ulps(got, y[i]) > 2 {
			t.Fatalf("tanh_forward(%g) = %g, ref %g (%d ulp)", x, got, y[i], ulps(got, y[i]))
		}
		if got := HostTanhBackward(y[i], dys[i]); got != dx[i] {
			t.Fatalf("tanh_backward(%g, %g) = %g, ref %g", y[i], dys[i], got, dx[i])
		}
	}
}

// TestActivationsNaN pins down NaN handling: a NaN must survive the forward activations, so
// that check_finite sees it, as it does in PyTorch (and in ref). ReLU's backward passes dy
// where y is NaN, as threshold_backward does.
func TestActivationsNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		name string
		got  float32
	}{
		{"relu_forward", HostReLUForward(nan)},
		{"leaky_relu_forward", HostLeakyReLUForward(nan, 0.2)},
		{"tanh_forward", HostTanhForward(nan)},
		{"leaky_relu_backward", HostLeakyReLUBackward(1, nan, 0.2)},
		{"tanh_backward", HostTanhBackward(nan, 1)},
	} {
		if !math.IsNaN(float64(c.got)) {
			t.Errorf("%s of NaN = %g, want NaN", c.name, c.got)
		}
	}
	if got := HostReLUBackward(nan, 3); got != 3 {
		t.Errorf("relu_backward(y NaN, dy 3) = %g, want 3", got)
	}
}

// TestBCEMatchesRef compares the kernel's BCE (its summation order, its double arithmetic)
// with ref.BCEWithLogits. Tolerance: the loss and every gradient within 1 ulp of float32;
// both sides work in double and round once, and only the order of the sum (the kernel's tree,
// ref's loop) and the last double bit of exp and log1p differ. The mean probability against
// the mean of ref.Sigmoid, rounded per element to float32: 1e-6 relative.
func TestBCEMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 64, 255, 256, 257, 1000, 4096} {
		for _, scale := range []float64{0.1, 3, 40} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * scale)
			}
			for _, target := range []float32{0, 1} {
				dx, want := make([]float32, n), make([]float32, n)
				loss, prob := HostBCE(x, target, dx)
				wantLoss := float32(ref.BCEWithLogits(x, target, want))
				if ulps(loss, wantLoss) > 1 {
					t.Errorf("n %d scale %g target %g: loss %g, ref %g", n, scale, target,
						loss, wantLoss)
				}
				for i := range dx {
					if ulps(dx[i], want[i]) > 1 {
						t.Fatalf("n %d target %g: dx[%d] = %g, ref %g (x %g)", n, target, i,
							dx[i], want[i], x[i])
					}
				}
				var sum float64
				for _, v := range x {
					sum += float64(ref.Sigmoid(v))
				}
				if wantProb := sum / float64(n); math.Abs(float64(prob)-wantProb) >
					1e-6*wantProb {
					t.Errorf("n %d scale %g: mean sigmoid %g, ref %g", n, scale, prob, wantProb)
				}
				if l2, p2 := HostBCE(x, target, nil); l2 != loss || p2 != prob {
					t.Errorf("n %d: loss without dx %g %g, with %g %g", n, l2, p2, loss, prob)
				}
			}
		}
	}
}

func TestBCEThreads(t *testing.T) {
	if BCEThreads != hostBCEThreads {
		t.Errorf("BCEThreads = %d, bce.h's DCGAN_BCE_THREADS = %d", BCEThreads, hostBCEThreads)
	}
}

func TestBCEConfidentLogits(t *testing.T) {
	// Logits far from zero: the loss of a right answer is tiny but not zero, the loss of a
	// wrong one is |x|, and nothing overflows.
	x := []float32{80, -80, 1e4, -1e4}
	loss, prob := HostBCE(x[:1], 1, nil)
	if !(loss > 0 && loss < 1e-30) || prob != 1 {
		t.Errorf("BCE(80, real) = %g, mean prob %g; want a tiny positive loss, 1", loss, prob)
	}
	loss, _ = HostBCE(x[2:3], 0, nil)
	if loss != 1e4 {
		t.Errorf("BCE(1e4, fake) = %g, want 1e4", loss)
	}
	loss, prob = HostBCE(x, 1, make([]float32, 4))
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) || math.IsNaN(float64(prob)) {
		t.Errorf("BCE of extreme logits = %g, mean prob %g: want finite", loss, prob)
	}
}

// TestAdamMatchesRef runs one Adam step from random states at several step numbers and
// compares with ref.AdamUpdate64. Tolerance: 1 ulp, on few elements. The arithmetic is the
// same operation by operation; ref's fused m update is float64 FMA rounded to float32, which
// rounds twice and can differ from the C fmaf in halfway cases (rare).
func TestAdamMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const n = 50000
	for _, hp := range []struct{ lr, b1, b2, eps float64 }{
		{2e-4, 0.5, 0.999, 1e-8}, // the DCGAN example's
		{1e-3, 0.9, 0.999, 1e-8}, // PyTorch's defaults
	} {
		for _, step := range []int64{1, 2, 10, 1000, 100000} {
			p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n),
				make([]float32, n)
			for i := range p {
				p[i] = float32(r.NormFloat64() * 0.02)
				g[i] = float32(r.NormFloat64() * math.Pow(10, -4*r.Float64()))
				m[i] = float32(r.NormFloat64() * 1e-3)
				v[i] = float32(r.Float64() * 1e-5)
			}
			g[0], m[0], v[0] = 0, 0, 0 // a parameter that has seen no gradient yet
			want := [4][]float32{clone(p), clone(g), clone(m), clone(v)}
			ref.AdamUpdate64(want[0], want[1], want[2], want[3], step, hp.lr, hp.b1, hp.b2,
				hp.eps)
			HostAdam(p, g, m, v, AdamScalarsFor(step, hp.lr, hp.b1, hp.b2, hp.eps))

			differ := 0
			for k, got := range [][]float32{p, g, m, v} {
				for i := range got {
					u := ulps(got[i], want[k][i])
					if u > 1 {
						t.Fatalf("%+v step %d: array %d [%d] = %g, ref %g", hp, step, k, i,
							got[i], want[k][i])
					}
					if u != 0 {
						differ++
					}
				}
			}
			if differ*1000 > n {
				t.Errorf("%+v step %d: %d values differ from ref by 1 ulp", hp, step, differ)
			}
		}
	}
}

func TestAdamScalarsFor(t *testing.T) {
	// Step 1 with β1 = 0.5: the bias correction doubles the step, 1-β2 = 1e-3 under the root.
	s := AdamScalarsFor(1, 2e-4, 0.5, 0.999, 1e-8)
	want := AdamScalars{Beta1: 0.5, OneMinusBeta1: 0.5, Beta2: 0.999,
		OneMinusBeta2: float32(1 - 0.999), NegStepSize: -4e-4,
		BiasCorrection2Sqrt: float32(math.Sqrt(1 - 0.999)), Eps: 1e-8}
	if s != want {
		t.Errorf("AdamScalarsFor(1, …) = %+v, want %+v", s, want)
	}
	// Far into training the corrections vanish: the step is lr, the root 1.
	s = AdamScalarsFor(1e6, 2e-4, 0.5, 0.999, 1e-8)
	if s.NegStepSize != -2e-4 || s.BiasCorrection2Sqrt != 1 {
		t.Errorf("AdamScalarsFor(1e6, …) step %g root %g, want -2e-4 and 1", s.NegStepSize,
			s.BiasCorrection2Sqrt)
	}
}

func TestNormalizeU8MatchesRef(t *testing.T) {
	src := make([]uint8, 256)
	for i := range src {
		src[i] = uint8(i)
	}
	want := make([]float32, 256)
	ref.NormalizeU8(src, want)
	for i, v := range src {
		if got := HostNormalizeU8(v); got != want[i] {
			t.Errorf("normalize_u8(%d) = %g, ref %g", v, got, want[i])
		}
	}
	if HostNormalizeU8(0) != -1 || HostNormalizeU8(255) != 1 {
		t.Errorf("normalize_u8 maps 0, 255 to %g, %g; want -1, 1", HostNormalizeU8(0),
			HostNormalizeU8(255))
	}
}

func TestIsFinite(t *testing.T) {
	for _, c := range []struct {
		x    float32
		want bool
	}{
		{0, true}, {-1, true}, {math.MaxFloat32, true}, {-math.MaxFloat32, true},
		{math.SmallestNonzeroFloat32, true},
		{float32(math.Inf(1)), false}, {float32(math.Inf(-1)), false},
		{float32(math.NaN()), false},
		{math.Float32frombits(0x7fc00001), false}, // a NaN with a payload
		{math.Float32frombits(0xff800001), false}, // a negative signalling NaN
	} {
		if got := HostIsFinite(c.x); got != c.want {
			t.Errorf("is_finite(%g, bits %08x) = %v, want %v", c.x, math.Float32bits(c.x), got,
				c.want)
		}
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }
