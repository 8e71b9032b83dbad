package ref

import (
	"math"
	"testing"
)

func TestBCEWithLogitsByHand(t *testing.T) {
	// Logit 0 is probability ½ either way: loss ln 2. A confident right answer costs
	// nearly nothing and a confident wrong one its logit, without overflow.
	x := []float32{0, 100, -100, 2}
	dx := make([]float32, 4)
	got := BCEWithLogits(x, 1, dx)
	want := (math.Ln2 + math.Log1p(math.Exp(-100)) + 100 + math.Log1p(math.Exp(-2))) / 4
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("loss vs 1 = %.15g, want %.15g", got, want)
	}
	checkClose(t, "dx vs 1", dx, []float64{-0.5 / 4, 0, -1.0 / 4,
		(1/(1+math.Exp(-2)) - 1) / 4}, tol{Abs: 1e-8, Rel: 1e-6})

	got = BCEWithLogits(x, 0, dx)
	want = (math.Ln2 + 100 + math.Log1p(math.Exp(-100)) + 2 + math.Log1p(math.Exp(-2))) / 4
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("loss vs 0 = %.15g, want %.15g", got, want)
	}
	if BCEWithLogits(x, 0, nil) != got {
		t.Error("the loss depends on whether dx is asked for")
	}
	if l := BCEWithLogits([]float32{1e-7}, 1, nil); l <= 0 || math.IsInf(l, 0) {
		t.Errorf("tiny logit loss %g", l)
	}
}

// bceGradTol: the loss is smooth and summed in float64, but the logits are float32, so
// the step h = 1e-3 is what it is in float32 (the difference quotient divides by the real
// step); the truncation error h²/6·|σ”| stays below 1e-7 relative to |dx| ≥ 1e-3.
var bceGradTol = tol{Abs: 1e-7, Rel: 1e-4}

func TestBCEWithLogitsGradient(t *testing.T) {
	r := newRand(t)
	x := randn(r, 16)
	for i := range x {
		x[i] *= 3
	}
	dx := make([]float32, len(x))
	for _, target := range []float32{0, 1} {
		BCEWithLogits(x, target, dx)
		gradCheck(t, "dx", x, dx, func() float64 { return BCEWithLogits(x, target, nil) },
			1e-3, bceGradTol)
	}
}
