//go:build cuda

package kernels_test

// Device tests: each kernel on a GPU against the host build of its math (package kernels'
// Host functions, themselves checked against dcgan/ref by math_test.go) or against ref. They
// need a GPU and a driver (gorgonia.org/cu exits at init without one), so CI only compiles
// them and the device check runs them.

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
	"github.com/dcgan-gpu/dcgan-gpu/gpu"
	"github.com/dcgan-gpu/dcgan-gpu/kernels"
)

// device is one test's context, kernels and buffers, freed by t.Cleanup on the test's
// goroutine, which owns the context.
type device struct {
	t    *testing.T
	k    *gpu.Kernels
	bufs []*cuda.Buffer
}

func openDevice(t *testing.T) *device {
	t.Helper()
	ctx, err := cuda.Open(0)
	if err != nil {
		t.Fatalf("open GPU 0: %v", err)
	}
	cuda.SetSyncAfterLaunch(true) // a fault fails the launch that caused it
	k, err := gpu.LoadKernels()
	if err != nil {
		ctx.Close()
		t.Fatal(err)
	}
	d := &device{t: t, k: k}
	t.Cleanup(func() {
		for _, b := range d.bufs {
			b.Close()
		}
		if err := k.Close(); err != nil {
			t.Error(err)
		}
		if err := k.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		ctx.Close()
	})
	return d
}

// alloc returns a device buffer of n elements of size bytes each.
func (d *device) alloc(n, size int) cuda.DevicePtr {
	d.t.Helper()
	b, err := cuda.Alloc(int64(max(n*size, 4)))
	if err != nil {
		d.t.Fatal(err)
	}
	d.bufs = append(d.bufs, b)
	return b.Ptr()
}

func upload[T cuda.Plain](d *device, src []T) cuda.DevicePtr {
	d.t.Helper()
	var zero T
	p := d.alloc(len(src), int(unsafe.Sizeof(zero)))
	if err := cuda.Upload(p, src, nil); err != nil {
		d.t.Fatal(err)
	}
	return p
}

func download[T cuda.Plain](d *device, p cuda.DevicePtr, n int) []T {
	d.t.Helper()
	out := make([]T, n)
	if err := cuda.Download(out, p, nil); err != nil {
		d.t.Fatal(err)
	}
	return out
}

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
	return max(d, -d)
}

// randoms returns n normal float32s of the given scale with special values up front.
func randoms(n int, scale float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	copy(x, []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, 20, -20})
	return x
}

// n is odd and not a multiple of 4, larger than one block.
const n = 100003

func TestDeviceActivations(t *testing.T) {
	d := openDevice(t)
	const slope = 0.2
	x, dy := randoms(n, 3, 1), randoms(n, 1, 2)
	xp, dyp, yp, dxp := upload(d, x), upload(d, dy), d.alloc(n, 4), d.alloc(n, 4)

	check := func(name string, got []float32, want func(i int) float32) {
		t.Helper()
		for i := range got {
			if w := want(i); got[i] != w && !(got[i] != got[i] && w != w) {
				t.Fatalf("%s[%d] = %g, host %g (x %g, dy %g)", name, i, got[i], w, x[i], dy[i])
			}
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	must(d.k.ReLUForward(nil, xp, yp, n))
	y := download[float32](d, yp, n)
	check("relu_forward", y, func(i int) float32 { return kernels.HostReLUForward(x[i]) })
	must(d.k.ReLUBackward(nil, yp, dyp, dxp, n))
	check("relu_backward", download[float32](d, dxp, n),
		func(i int) float32 { return kernels.HostReLUBackward(y[i], dy[i]) })

	must(d.k.LeakyReLUForward(nil, xp, yp, n, slope))
	check("leaky_relu_forward", download[float32](d, yp, n),
		func(i int) float32 { return kernels.HostLeakyReLUForward(x[i], slope) })
	must(d.k.LeakyReLUBackward(nil, xp, dyp, dxp, n, slope))
	check("leaky_relu_backward", download[float32](d, dxp, n),
		func(i int) float32 { return kernels.HostLeakyReLUBackward(x[i], dy[i], slope) })

	// Tanh forward against ref's correctly rounded tanh: CUDA's tanhf is within 2 ulp of the
	// exact value and ref within half an ulp, so 3 ulp apart at most.
	must(d.k.TanhForward(nil, xp, yp, n))
	y = download[float32](d, yp, n)
	want := make([]float32, n)
	ref.TanhForward(x, want)
	for i := range y {
		if u := ulps(y[i], want[i]); u > 3 {
			t.Fatalf("tanh_forward(%g) = %g, ref %g (%d ulp)", x[i], y[i], want[i], u)
		}
	}
	must(d.k.TanhBackward(nil, yp, dyp, dxp, n))
	check("tanh_backward", download[float32](d, dxp, n),
		func(i int) float32 { return kernels.HostTanhBackward(y[i], dy[i]) })

	// In place, as the nets run them: y over x, dx over dy.
	must(d.k.LeakyReLUForward(nil, xp, xp, n, slope))
	must(d.k.LeakyReLUBackward(nil, xp, dyp, dyp, n, slope))
	check("in-place leaky_relu_forward", download[float32](d, xp, n),
		func(i int) float32 { return kernels.HostLeakyReLUForward(x[i], slope) })
	check("in-place leaky_relu_backward", download[float32](d, dyp, n),
		func(i int) float32 { return kernels.HostLeakyReLUBackward(x[i], dy[i], slope) })
}

// TestDeviceBCE: the device's double exp and log1p may differ from the C library's in the
// last double bit, which changes a float32 rounding rarely: 1 ulp.
func TestDeviceBCE(t *testing.T) {
	d := openDevice(t)
	out := d.alloc(2, 4)
	for _, size := range []int{1, 64, 257, 4096} {
		for _, target := range []float32{0, 1} {
			x := randoms(size, 4, uint64(size))
			xp, dxp, dx2p := upload(d, x), d.alloc(size, 4), d.alloc(size, 4)
			wantDx := make([]float32, size)
			wantLoss, wantProb := kernels.HostBCE(x, target, wantDx)

			if err := d.k.BCELogitsForwardBackward(nil, xp, out, out.Add(4), dxp, size,
				target); err != nil {
				t.Fatal(err)
			}
			got := download[float32](d, out, 2)
			if ulps(got[0], wantLoss) > 1 || ulps(got[1], wantProb) > 1 {
				t.Errorf("n %d target %g: loss %g prob %g, host %g %g", size, target, got[0],
					got[1], wantLoss, wantProb)
			}
			dx := download[float32](d, dxp, size)
			for i := range dx {
				if ulps(dx[i], wantDx[i]) > 1 {
					t.Fatalf("n %d: dx[%d] = %g, host %g", size, i, dx[i], wantDx[i])
				}
			}

			// The unfused kernels give the same bits, and a rerun too.
			if err := d.k.BCELogitsForward(nil, xp, out, out.Add(4), size, target); err != nil {
				t.Fatal(err)
			}
			if again := download[float32](d, out, 2); again[0] != got[0] || again[1] != got[1] {
				t.Errorf("n %d: bce_logits_forward %v, fused %v", size, again, got)
			}
			if err := d.k.BCELogitsBackward(nil, xp, dx2p, size, target); err != nil {
				t.Fatal(err)
			}
			dx2 := download[float32](d, dx2p, size)
			for i := range dx {
				if dx2[i] != dx[i] {
					t.Fatalf("n %d: bce_logits_backward dx[%d] = %g, fused %g", size, i,
						dx2[i], dx[i])
				}
			}
		}
	}
}

// TestDeviceAdam: every operation is IEEE-rounded float32 on both sides, fmaf included:
// bit for bit.
func TestDeviceAdam(t *testing.T) {
	d := openDevice(t)
	p, g, m := randoms(n, 0.02, 3), randoms(n, 1e-3, 4), randoms(n, 1e-3, 5)
	v := randoms(n, 1e-5, 6)
	for i := range v {
		v[i] = float32(math.Abs(float64(v[i])))
	}
	pp, gp, mp, vp := upload(d, p), upload(d, g), upload(d, m), upload(d, v)
	flag := upload(d, []uint32{1})

	sc := kernels.AdamScalarsFor(3, 2e-4, 0.5, 0.999, 1e-8)
	if err := d.k.AdamUpdate(nil, pp, gp, mp, vp, flag, n, sc); err != nil {
		t.Fatal(err)
	}
	for i, v := range download[float32](d, pp, n) {
		if v != p[i] {
			t.Fatalf("adam_update with the skip flag set changed p[%d]: %g to %g", i, p[i], v)
		}
	}

	if err := d.k.AdamUpdate(nil, pp, gp, mp, vp, 0, n, sc); err != nil {
		t.Fatal(err)
	}
	kernels.HostAdam(p, g, m, v, sc)
	for k, want := range [][]float32{p, m, v} {
		got := download[float32](d, []cuda.DevicePtr{pp, mp, vp}[k], n)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("adam_update array %d [%d] = %g, host %g", k, i, got[i], want[i])
			}
		}
	}
}

// TestDeviceNoise: the device computes in double like ref.Normal; CUDA's double log, sin and
// cos are within 1-2 double ulp, so a float32 result differs in a rare rounding: 1 ulp.
func TestDeviceNoise(t *testing.T) {
	d := openDevice(t)
	out := d.alloc(n+1, 4)
	for _, c := range []struct{ seed, stream uint64 }{{1, 0}, {1, 1 << 62}, {0xdeadbeef, 77}} {
		if err := d.k.NoiseNormal(nil, out, n, c.seed, c.stream, 0, 1); err != nil {
			t.Fatal(err)
		}
		differ := 0
		for i, v := range download[float32](d, out, n) {
			want := ref.Normal(c.seed, c.stream, uint64(i))
			if u := ulps(v, want); u > 1 {
				t.Fatalf("noise_normal(%d, %d)[%d] = %g, ref %g", c.seed, c.stream, i, v, want)
			} else if u == 1 {
				differ++
			}
		}
		if differ*10000 > n {
			t.Errorf("seed %d stream %d: %d of %d normals 1 ulp off ref", c.seed, c.stream,
				differ, n)
		}
	}

	// Scaled, as weight init uses it, and not a word past n.
	sentinel := upload(d, []float32{123})
	if err := d.k.NoiseNormal(nil, sentinel, 0, 1, 1, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := d.k.NoiseNormal(nil, out, n, 5, 6, 1, 0.02); err != nil {
		t.Fatal(err)
	}
	want := make([]float32, n)
	kernels.HostNoiseNormal(want, 5, 6, 1, 0.02)
	for i, v := range download[float32](d, out, n) {
		if ulps(v, want[i]) > 1 {
			t.Fatalf("noise_normal mean 1 std 0.02 [%d] = %g, host %g", i, v, want[i])
		}
	}
	if v := download[float32](d, sentinel, 1)[0]; v != 123 {
		t.Errorf("noise_normal with n 0 wrote %g", v)
	}
}

func TestDeviceNormalizeU8(t *testing.T) {
	d := openDevice(t)
	src := make([]uint8, n)
	for i := range src {
		src[i] = uint8(i * 7)
	}
	dst := d.alloc(n, 4)
	if err := d.k.NormalizeU8(nil, upload(d, src), dst, n); err != nil {
		t.Fatal(err)
	}
	for i, v := range download[float32](d, dst, n) {
		if want := kernels.HostNormalizeU8(src[i]); v != want {
			t.Fatalf("normalize_u8(%d) = %g, host %g", src[i], v, want)
		}
	}
}

func TestDeviceCheckFinite(t *testing.T) {
	d := openDevice(t)
	x := randoms(n, 1, 7)
	flag := d.alloc(1, 4)
	run := func(x []float32) uint32 {
		t.Helper()
		if err := cuda.Memset32(flag, 0, 1, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.k.CheckFinite(nil, upload(d, x), flag, len(x)); err != nil {
			t.Fatal(err)
		}
		return download[uint32](d, flag, 1)[0]
	}
	if f := run(x); f != 0 {
		t.Errorf("check_finite flagged a finite array: %d", f)
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		y := append([]float32(nil), x...)
		y[n-1] = bad
		if f := run(y); f != 1 {
			t.Errorf("check_finite with %g last: flag %d, want 1", bad, f)
		}
	}
}

func TestDeviceLaunchErrors(t *testing.T) {
	d := openDevice(t)
	p := d.alloc(4, 4)
	if err := d.k.ReLUForward(nil, p, p, -1); !errors.Is(err, cuda.ErrArgs) {
		t.Errorf("relu_forward n=-1: %v, want ErrArgs", err)
	}
	if err := d.k.BCELogitsForward(nil, p, p, p, math.MaxInt32+1, 1); !errors.Is(err,
		cuda.ErrArgs) {
		t.Errorf("bce_logits_forward n=2^31: %v, want ErrArgs", err)
	}
}
