package ref

import (
	"math"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
)

// The fixtures come from tools/torch_fixtures.py (PyTorch 1.13 on CPU). PyTorch and this
// package sum in float32 in different orders, so results agree to a few float32 rounding
// errors of the sums, not bit for bit: each comparison allows an absolute part scaled by
// the largest value of the tensor (a cancelling sum's error follows the size of its terms,
// not of its result) plus a relative part.

// fixtures is the parsed fixture file, shared by the parity tests.
type fixtures struct {
	t *testing.T
	f *safetensors.File
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	f, err := safetensors.ReadFile("testdata/layers.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	return fixtures{t, f}
}

// get returns tensor name as float32s, with its shape.
func (fx fixtures) get(name string) ([]float32, []int) {
	fx.t.Helper()
	tn, ok := fx.f.Tensors[name]
	if !ok {
		fx.t.Fatalf("fixture %s is missing", name)
	}
	v, err := tn.Float32s()
	if err != nil {
		fx.t.Fatalf("fixture %s: %v", name, err)
	}
	return v, tn.Shape
}

func (fx fixtures) vals(name string) []float32 {
	fx.t.Helper()
	v, _ := fx.get(name)
	return v
}

// compare checks got against fixture name with tol{Abs: absScale·max|want|, Rel: rel} and
// logs the largest difference seen.
func (fx fixtures) compare(what string, got []float32, name string, absScale, rel float64) {
	fx.t.Helper()
	want := widen(fx.vals(name))
	var worst float64
	for i, w := range want {
		worst = math.Max(worst, math.Abs(float64(got[i])-w))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	fx.t.Logf("%s: max |diff| %.3g (max |value| %.3g)", what, worst, scale)
	checkClose(fx.t, what, got, want, tol{Abs: absScale * scale, Rel: rel})
}

// convTol: sums of up to 160 float32 products in another order than PyTorch's; the
// rounding of either stays within about √terms·2⁻²⁴ of the terms' scale.
const convAbs, convRel = 1e-6, 1e-5

func TestParityConv(t *testing.T) {
	fx := loadFixtures(t)
	for _, c := range []struct {
		name         string
		stride, pad  int
		isTransposed bool
	}{
		{"conv_s2", 2, 1, false},
		{"conv_1x1", 1, 0, false},
		{"convt_1x1", 1, 0, true},
		{"convt_s2", 2, 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx.t = t
			x, xs := fx.get(c.name + ".x")
			w, ws := fx.get(c.name + ".w")
			dy, ys := fx.get(c.name + ".dy")
			n, k := xs[0], ws[2]
			y, dx, gw := make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))
			if c.isTransposed {
				l := NewConvTranspose2D(n, xs[1], ws[1], xs[2], xs[3], k, c.stride, c.pad, w, gw)
				l.Forward(x, y, n)
				l.Backward(x, dy, dx, n)
			} else {
				l := NewConv2D(n, xs[1], ws[0], xs[2], xs[3], k, c.stride, c.pad, w, gw)
				l.Forward(x, y, n)
				l.Backward(x, dy, dx, n)
			}
			if len(y) != ys[0]*ys[1]*ys[2]*ys[3] {
				t.Fatalf("output shape %v does not fit", ys)
			}
			fx.compare("y", y, c.name+".y", convAbs, convRel)
			fx.compare("dx", dx, c.name+".dx", convAbs, convRel)
			fx.compare("dw", gw, c.name+".dw", convAbs, convRel)
		})
	}
}

// bnAbs, bnRel: batch norm's statistics here are summed in float64, PyTorch's in float32
// over 100 values per channel, and its backward reduces Σdy and Σdy·x̂ in float32 too.
const bnAbs, bnRel = 2e-6, 1e-5

func TestParityBatchNorm(t *testing.T) {
	fx := loadFixtures(t)
	x, xs := fx.get("bn_train.x")
	n, c, hw := xs[0], xs[1], xs[2]*xs[3]
	gg, gb := make([]float32, c), make([]float32, c)
	rm := append([]float32(nil), fx.vals("bn_train.running_mean0")...)
	rv := append([]float32(nil), fx.vals("bn_train.running_var0")...)
	b := NewBatchNorm2D(n, c, hw, fx.vals("bn_train.gamma"), fx.vals("bn_train.beta"),
		gg, gb, rm, rv)
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	b.Forward(x, y, n, true, true)
	b.Backward(x, fx.vals("bn_train.dy"), dx, n)
	fx.compare("train y", y, "bn_train.y", bnAbs, bnRel)
	fx.compare("dx", dx, "bn_train.dx", bnAbs, bnRel)
	fx.compare("dγ", gg, "bn_train.dgamma", bnAbs, bnRel)
	fx.compare("dβ", gb, "bn_train.dbeta", bnAbs, bnRel)
	fx.compare("running mean", rm, "bn_train.running_mean", bnAbs, bnRel)
	fx.compare("running var", rv, "bn_train.running_var", bnAbs, bnRel)

	xe, xes := fx.get("bn_eval.x")
	ye := make([]float32, len(xe))
	b.Forward(xe, ye, xes[0], false, false)
	fx.compare("eval y", ye, "bn_eval.y", bnAbs, bnRel)
}

// actAbs, actRel: elementwise ops; tanh here is float64 rounded once, PyTorch's a float32
// approximation within a couple of ulps (2.4e-7 relative); its backward then matches
// bit for bit on this fixture but may inherit those ulps, amplified where 1 − y² cancels.
const actAbs, actRel = 1e-9, 4e-7

func TestParityActivations(t *testing.T) {
	fx := loadFixtures(t)
	for _, name := range []string{"relu", "leaky_relu", "tanh"} {
		t.Run(name, func(t *testing.T) {
			fx.t = t
			x, dy := fx.vals(name+".x"), fx.vals(name+".dy")
			y, dx := make([]float32, len(x)), make([]float32, len(x))
			switch name {
			case "relu":
				ReLUForward(x, y)
				ReLUBackward(y, dy, dx)
			case "leaky_relu":
				LeakyReLUForward(x, y, 0.2)
				LeakyReLUBackward(x, dy, dx, 0.2)
			case "tanh":
				TanhForward(x, y)
				TanhBackward(y, dy, dx)
			}
			fx.compare("y", y, name+".y", actAbs, actRel)
			fx.compare("dx", dx, name+".dx", actAbs, actRel)
		})
	}
}

func TestParityBCEWithLogits(t *testing.T) {
	fx := loadFixtures(t)
	x := fx.vals("bce.x")
	dx := make([]float32, len(x))
	for _, target := range []string{"0", "1"} {
		loss := BCEWithLogits(x, float32(target[0]-'0'), dx)
		want, err := fx.f.Tensors["bce.loss"+target].Float64s()
		if err != nil {
			t.Fatal(err)
		}
		// PyTorch sums the 16 float32 terms in float32: 16 roundings of ≤ 2⁻²⁴ relative.
		if math.Abs(loss-want[0]) > 1e-6*want[0] {
			t.Errorf("loss vs %s = %.9g, PyTorch %.9g", target, loss, want[0])
		}
		// Gradients are elementwise: a few ulps of σ(x)−t.
		fx.compare("dx vs "+target, dx, "bce.dx"+target, 1e-7, 1e-6)
	}
}

func TestParityAdam(t *testing.T) {
	fx := loadFixtures(t)
	p := append([]float32(nil), fx.vals("adam.p0")...)
	g := fx.vals("adam.g")
	m, v := make([]float32, len(p)), make([]float32, len(p))
	for step := 1; step <= 3; step++ {
		AdamUpdate64(p, g[(step-1)*len(p):][:len(p)], m, v, int64(step), 2e-4, 0.5, 0.999, 1e-8)
		want := fx.vals("adam.p" + string(rune('0'+step)))
		// The same float32 operations in the same order as torch.optim.Adam: the results
		// should be identical, so the bound is one ulp of p.
		diff := 0
		for i := range p {
			if p[i] != want[i] {
				diff++
			}
			if ulps(p[i], want[i]) > 1 {
				t.Errorf("step %d p[%d] = %g, PyTorch %g", step, i, p[i], want[i])
			}
		}
		t.Logf("step %d: %d of %d parameters differ from PyTorch's in the last bit",
			step, diff, len(p))
	}
	fx.compare("m", m, "adam.m", 0, 0)
	fx.compare("v", v, "adam.v", 0, 0)
}

// ulps returns how many float32 values lie between a and b (for equal signs).
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return d
}
