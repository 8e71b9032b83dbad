package ref

import (
	"math"
	"testing"
)

func TestAdamFirstStepByHand(t *testing.T) {
	// On step 1 the bias corrections undo the moments' shrinkage: m̂ = g and v̂ = g², so
	// each parameter moves by lr·g/(|g| + eps), i.e. lr against the gradient's sign.
	p := []float32{1, -2, 3}
	g := []float32{0.5, -4, 0}
	m, v := make([]float32, 3), make([]float32, 3)
	// Betas exact in float32 make m and v exact too.
	AdamUpdate(p, g, m, v, 1, 0.1, 0.5, 0.75, 1e-8)
	checkClose(t, "p", p, []float64{0.9, -1.9, 3}, tol{Abs: 1e-6})
	checkClose(t, "m", m, []float64{0.25, -2, 0}, tol{})
	checkClose(t, "v", v, []float64{0.0625, 4, 0}, tol{})
}

func TestAdamMatchesFormula(t *testing.T) {
	// Several steps against the float64 formula; float32 rounding of the state keeps the
	// two within a few ulps of p.
	r := newRand(t)
	p, m, v := randn(r, 50), make([]float32, 50), make([]float32, 50)
	pw, mw, vw := widen(p), make([]float64, 50), make([]float64, 50)
	const lr, b1, b2, eps = 2e-4, 0.5, 0.999, 1e-8
	for step := int64(1); step <= 5; step++ {
		g := randn(r, 50)
		AdamUpdate64(p, g, m, v, step, lr, b1, b2, eps)
		bc1 := 1 - math.Pow(b1, float64(step))
		bc2 := 1 - math.Pow(b2, float64(step))
		for i := range pw {
			gi := float64(g[i])
			mw[i] = b1*mw[i] + (1-b1)*gi
			vw[i] = b2*vw[i] + (1-b2)*gi*gi
			pw[i] -= lr / bc1 * mw[i] / (math.Sqrt(vw[i])/math.Sqrt(bc2) + eps)
		}
	}
	checkClose(t, "p", p, pw, tol{Abs: 1e-6, Rel: 1e-6})
	checkClose(t, "m", m, mw, tol{Abs: 1e-6, Rel: 1e-5})
	checkClose(t, "v", v, vw, tol{Abs: 1e-6, Rel: 1e-5})
}
