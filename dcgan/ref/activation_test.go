package ref

import (
	"math"
	"testing"
)

func TestActivationsByHand(t *testing.T) {
	x := []float32{-2, -0.5, 0, 0.5, 3}
	y := make([]float32, len(x))

	ReLUForward(x, y)
	checkClose(t, "relu", y, []float64{0, 0, 0, 0.5, 3}, tol{})
	dx := make([]float32, len(x))
	ReLUBackward(y, []float32{1, 2, 3, 4, 5}, dx)
	checkClose(t, "relu'", dx, []float64{0, 0, 0, 4, 5}, tol{})

	LeakyReLUForward(x, y, 0.2)
	checkClose(t, "leaky", y, []float64{-0.4, -0.1, 0, 0.5, 3}, tol{Abs: 1e-7})
	LeakyReLUBackward(x, []float32{1, 2, 3, 4, 5}, dx, 0.2)
	checkClose(t, "leaky'", dx, []float64{0.2, 0.4, 0.6, 4, 5}, tol{Abs: 1e-7})

	TanhForward(x, y)
	want := make([]float64, len(x))
	for i, v := range x {
		want[i] = math.Tanh(float64(v))
	}
	checkClose(t, "tanh", y, want, tol{Rel: 1e-7})
	TanhBackward(y, []float32{1, 1, 1, 1, 1}, dx)
	for i := range want {
		want[i] = 1 - want[i]*want[i]
	}
	checkClose(t, "tanh'", dx, want, tol{Abs: 1e-7, Rel: 1e-6})

	for _, c := range []struct{ x, want float64 }{
		{0, 0.5}, {2, 1 / (1 + math.Exp(-2))}, {-2, 1 / (1 + math.Exp(2))}, {-200, 0}, {200, 1},
	} {
		if got := Sigmoid(float32(c.x)); math.Abs(float64(got)-c.want) > 1e-7 {
			t.Errorf("Sigmoid(%g) = %g, want %g", c.x, got, c.want)
		}
	}
}

// actGradTol: the activations are elementwise, so each central difference sees one
// float32 rounding of y (≈6e-8·|y|) amplified by 1/2h with h = 1e-3, plus for tanh a
// truncation error h²/6·|tanh”'| ≤ 4e-7.
var actGradTol = tol{Abs: 3e-4, Rel: 1e-3}

func TestActivationGradients(t *testing.T) {
	r := newRand(t)
	x := randn(r, 64)
	for i, v := range x { // keep away from the kink at 0, where no derivative exists
		if math.Abs(float64(v)) < 0.01 {
			x[i] = 0.5
		}
	}
	dy := randn(r, len(x))
	y := make([]float32, len(x))
	dx := make([]float32, len(x))
	cases := []struct {
		name string
		fwd  func()
		bwd  func()
	}{
		{"relu", func() { ReLUForward(x, y) }, func() { ReLUBackward(y, dy, dx) }},
		{"leaky", func() { LeakyReLUForward(x, y, 0.2) },
			func() { LeakyReLUBackward(x, dy, dx, 0.2) }},
		{"tanh", func() { TanhForward(x, y) }, func() { TanhBackward(y, dy, dx) }},
	}
	for _, c := range cases {
		c.fwd()
		c.bwd()
		gradCheck(t, c.name, x, dx, func() float64 { c.fwd(); return linearLoss(y, dy) },
			1e-3, actGradTol)
	}
}

func TestActivationsInPlace(t *testing.T) {
	r := newRand(t)
	x := randn(r, 32)
	dy := randn(r, 32)
	for _, c := range []struct {
		name     string
		fwd      func(x, y []float32)
		bwd      func(y, dy, dx []float32) // y: what the backward reads
		fromOutp bool
	}{
		{"relu", ReLUForward, ReLUBackward, true},
		{"leaky", func(x, y []float32) { LeakyReLUForward(x, y, 0.2) },
			func(x, dy, dx []float32) { LeakyReLUBackward(x, dy, dx, 0.2) }, false},
		{"tanh", TanhForward, TanhBackward, true},
	} {
		y := make([]float32, len(x))
		c.fwd(x, y)
		in := append([]float32(nil), x...)
		c.fwd(in, in)
		checkClose(t, c.name+" in place", in, widen(y), tol{})

		saved := x
		if c.fromOutp {
			saved = y
		}
		dx := make([]float32, len(x))
		c.bwd(saved, dy, dx)
		g := append([]float32(nil), dy...)
		c.bwd(saved, g, g)
		checkClose(t, c.name+"' in place", g, widen(dx), tol{})
	}
}

// TestReLUKeepsNaN: a NaN must reach the step's finiteness check, as in PyTorch, where
// relu(NaN) is NaN and threshold_backward passes the gradient where the output is NaN.
func TestReLUKeepsNaN(t *testing.T) {
	nan := float32(math.NaN())
	y := []float32{0}
	ReLUForward([]float32{nan}, y)
	if !math.IsNaN(float64(y[0])) {
		t.Errorf("ReLUForward(NaN) = %g, want NaN", y[0])
	}
	dx := []float32{0}
	ReLUBackward([]float32{nan}, []float32{3}, dx)
	if dx[0] != 3 {
		t.Errorf("ReLUBackward(y NaN, dy 3) = %g, want 3", dx[0])
	}
}
