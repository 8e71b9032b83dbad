//go:build cuda

package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// These tests need a GPU; CI only compiles and links them (see package cuda). Each layer runs
// forward and backward on random inputs against dcgan/ref.
//
// Tolerances, |gpu − ref| ≤ abs + rel·|ref|. FP32 (CUDNN_FMA_MATH): both sides round in
// float32 but sum in different orders; an output sums at most C·K·K = 64 products of values
// in [-1, 1], so the difference stays below 64 · 2^-24 · 64 ≈ 2.4e-4: abs 3e-4, rel 1e-4.
// TF32 rounds each product's inputs to a 10-bit mantissa (relative 2^-11 each), up to
// 64 · 2 · 2^-11 ≈ 6e-2 in the worst case: abs 6e-2. Batch norm sums over N·H·W ≤ 128
// values and divides by a standard deviation near 0.58: abs 1e-4, rel 1e-4.
type tol struct{ abs, rel float64 }

var (
	tolFP32 = tol{3e-4, 1e-4}
	tolTF32 = tol{6e-2, 1e-2}
	tolBN   = tol{1e-4, 1e-4}
)

// layerCase is one convolution shape, run as Conv2D and as ConvTranspose2D.
type layerCase struct {
	n, inC, outC, in, k, stride, pad int
}

var layerCases = []layerCase{
	{4, 3, 4, 8, 4, 2, 1},  // DCGAN's k4 s2 p1
	{3, 4, 2, 4, 4, 1, 0},  // D's last layer / G's first, 4x4 ↔ 1x1 sides
	{2, 2, 3, 5, 3, 1, 1},  // odd side, same padding
	{5, 1, 4, 16, 4, 2, 1}, // one input channel
}

func openDevice(t *testing.T, opts Options) *Device {
	t.Helper()
	cuda.SetSyncAfterLaunch(true)
	d, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func random(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()*2 - 1
	}
	return v
}

// dev copies v to a new device buffer freed with the test. The copy goes on d's compute
// stream, where the layers run: that stream is non-blocking, so work on it is not ordered
// after a copy on the legacy default stream (nil).
func dev(t *testing.T, d *Device, v []float32) cuda.DevicePtr {
	t.Helper()
	b, err := cuda.Alloc(int64(max(len(v), 1)) * 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := cuda.Upload(b.Ptr(), v, d.Stream); err != nil {
		t.Fatal(err)
	}
	return b.Ptr()
}

// host reads n float32s at p once the work queued on d's compute stream has run.
func host(t *testing.T, d *Device, p cuda.DevicePtr, n int) []float32 {
	t.Helper()
	v := make([]float32, n)
	if err := cuda.Download(v, p, d.Stream); err != nil {
		t.Fatal(err)
	}
	if err := d.Stream.Synchronize(); err != nil {
		t.Fatal(err)
	}
	return v
}

func near(t *testing.T, what string, got, want []float32, tl tol) {
	t.Helper()
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > tl.abs+tl.rel*math.Abs(float64(want[i])) {
			t.Fatalf("%s[%d]: gpu %v ref %v (diff %.3g)", what, i, got[i], want[i], d)
		}
	}
}

func TestConvLayersMatchRef(t *testing.T) {
	for _, m := range []struct {
		tf32 bool
		tl   tol
	}{{false, tolFP32}, {true, tolTF32}} {
		d := openDevice(t, Options{Deterministic: true, TF32: m.tf32})
		r := rand.New(rand.NewPCG(1, 1))
		for _, c := range layerCases {
			name := fmt.Sprintf("%+v tf32=%v", c, m.tf32)
			checkConv2D(t, d, r, c, name, m.tl)
			checkConvTranspose2D(t, d, r, c, name, m.tl)
		}
	}
}

func checkConv2D(t *testing.T, d *Device, r *rand.Rand, c layerCase, name string, tl tol) {
	w := random(r, c.outC*c.inC*c.k*c.k)
	rc := ref.NewConv2D(c.n, c.inC, c.outC, c.in, c.in, c.k, c.stride, c.pad, w,
		make([]float32, len(w)))
	x := random(r, c.n*c.inC*c.in*c.in)
	ny := c.n * c.outC * rc.OutH * rc.OutW
	dy := random(r, ny)
	y, dx := make([]float32, ny), make([]float32, len(x))
	rc.Forward(x, y, c.n)
	rc.Backward(x, dy, dx, c.n)

	gw := dev(t, d, make([]float32, len(w)))
	l, err := d.NewConv2D("conv", c.n, c.inC, c.outC, c.in, c.k, c.stride, c.pad,
		dev(t, d, w), gw)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	gx, gy, gdy, gdx := dev(t, d, x), dev(t, d, make([]float32, ny)), dev(t, d, dy),
		dev(t, d, make([]float32, len(x)))
	if err := l.Forward(gx, gy, c.n); err != nil {
		t.Fatal(err)
	}
	// Backward twice, the second accumulating: the weight gradient doubles.
	if err := l.Backward(gx, gdy, gdx, gw, c.n, false); err != nil {
		t.Fatal(err)
	}
	if err := l.Backward(gx, gdy, 0, gw, c.n, true); err != nil {
		t.Fatal(err)
	}
	twice := make([]float32, len(rc.GW))
	for i, v := range rc.GW {
		twice[i] = 2 * v
	}
	near(t, name+" conv y", host(t, d, gy, ny), y, tl)
	near(t, name+" conv dx", host(t, d, gdx, len(x)), dx, tl)
	near(t, name+" conv 2·dw", host(t, d, gw, len(w)), twice, tol{2 * tl.abs, tl.rel})
}

func checkConvTranspose2D(t *testing.T, d *Device, r *rand.Rand, c layerCase, name string,
	tl tol) {
	w := random(r, c.inC*c.outC*c.k*c.k)
	rc := ref.NewConvTranspose2D(c.n, c.inC, c.outC, c.in, c.in, c.k, c.stride, c.pad, w,
		make([]float32, len(w)))
	x := random(r, c.n*c.inC*c.in*c.in)
	ny := c.n * c.outC * rc.OutH * rc.OutW
	dy := random(r, ny)
	y, dx := make([]float32, ny), make([]float32, len(x))
	rc.Forward(x, y, c.n)
	rc.Backward(x, dy, dx, c.n)

	gw := dev(t, d, make([]float32, len(w)))
	l, err := d.NewConvTranspose2D("convT", c.n, c.inC, c.outC, c.in, c.k, c.stride, c.pad,
		dev(t, d, w), gw)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	gx, gy, gdy, gdx := dev(t, d, x), dev(t, d, make([]float32, ny)), dev(t, d, dy),
		dev(t, d, make([]float32, len(x)))
	if err := l.Forward(gx, gy, c.n); err != nil {
		t.Fatal(err)
	}
	if err := l.Backward(gx, gdy, gdx, gw, c.n, false); err != nil {
		t.Fatal(err)
	}
	near(t, name+" convT y", host(t, d, gy, ny), y, tl)
	near(t, name+" convT dx", host(t, d, gdx, len(x)), dx, tl)
	near(t, name+" convT dw", host(t, d, gw, len(w)), rc.GW, tl)
}

func TestBatchNormMatchesRef(t *testing.T) {
	d := openDevice(t, Options{Deterministic: true})
	r := rand.New(rand.NewPCG(2, 2))
	const n, c, side = 4, 3, 4
	hw := side * side
	gamma, beta := random(r, c), random(r, c)
	rm, rv := random(r, c), []float32{1, 0.5, 2}
	rg, rb := make([]float32, c), make([]float32, c)
	rrm, rrv := append([]float32(nil), rm...), append([]float32(nil), rv...)
	rbn := ref.NewBatchNorm2D(n, c, hw, gamma, beta, rg, rb, rrm, rrv)
	x, dy := random(r, n*c*hw), random(r, n*c*hw)
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	rbn.Forward(x, y, n, true, true)
	rbn.Backward(x, dy, dx, n)

	tn := cuda.BNTensors{Scale: dev(t, d, gamma), Bias: dev(t, d, beta),
		RunMean: dev(t, d, rm), RunVar: dev(t, d, rv),
		SaveMean: dev(t, d, make([]float32, c)), SaveInvStd: dev(t, d, make([]float32, c)),
		DScale: dev(t, d, make([]float32, c)), DBias: dev(t, d, make([]float32, c))}
	l, err := d.NewBatchNorm2D("bn", n, c, side, tn, 1e-5, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	gx, gy := dev(t, d, x), dev(t, d, make([]float32, len(x)))
	gdy, gdx := dev(t, d, dy), dev(t, d, make([]float32, len(x)))
	if err := l.Forward(gx, gy, n, true, true); err != nil {
		t.Fatal(err)
	}
	if err := l.Backward(gx, gdy, gdx, n, false); err != nil {
		t.Fatal(err)
	}
	near(t, "bn y", host(t, d, gy, len(y)), y, tolBN)
	near(t, "bn dx", host(t, d, gdx, len(dx)), dx, tolBN)
	near(t, "bn dgamma", host(t, d, tn.DScale, c), rg, tolBN)
	near(t, "bn dbeta", host(t, d, tn.DBias, c), rb, tolBN)
	near(t, "bn running mean", host(t, d, tn.RunMean, c), rrm, tolBN)
	near(t, "bn running var", host(t, d, tn.RunVar, c), rrv, tolBN)

	// Evaluation mode uses the running statistics just updated.
	ry := make([]float32, len(x))
	rbn.Forward(x, ry, n, false, false)
	if err := l.Forward(gx, gy, n, false, false); err != nil {
		t.Fatal(err)
	}
	near(t, "bn eval y", host(t, d, gy, len(y)), ry, tolBN)
}

func TestWorkspaceCoversEveryChoice(t *testing.T) {
	d := openDevice(t, Options{Deterministic: true})
	var ls []*Conv2D
	for _, c := range layerCases {
		w := dev(t, d, make([]float32, c.outC*c.inC*c.k*c.k))
		l, err := d.NewConv2D("conv", c.n, c.inC, c.outC, c.in, c.k, c.stride, c.pad, w, w)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ls = append(ls, l)
	}
	plan := d.WorkspacePlan()
	for _, l := range ls {
		for _, c := range l.s.byN {
			for dir := cuda.ConvFwd; dir <= cuda.ConvBwdFilter; dir++ {
				if need := c.WorkspaceSize(dir); need > plan.Bytes {
					t.Errorf("%v %s needs %d bytes, plan has %d", c.Geom, dir, need, plan.Bytes)
				}
			}
		}
	}
	if plan.Bytes > 0 && (d.Workspace() == nil || d.Workspace().Size() < plan.Bytes) {
		t.Errorf("workspace not allocated to the plan's %d bytes", plan.Bytes)
	}
}
