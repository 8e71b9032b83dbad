package ref

import (
	"math"
	"testing"
)

func TestBatchNormByHand(t *testing.T) {
	// One channel, values 1, 2, 3, 4 over two images of two pixels: mean 2.5, biased
	// variance 1.25, unbiased 5/3.
	x := []float32{1, 2, 3, 4}
	gamma, beta := []float32{2}, []float32{0.5}
	rm, rv := []float32{0}, []float32{1}
	b := NewBatchNorm2D(2, 1, 2, gamma, beta, make([]float32, 1), make([]float32, 1), rm, rv)
	y := make([]float32, 4)
	b.Forward(x, y, 2, true, true)
	s := math.Sqrt(1.25 + 1e-5)
	want := []float64{2*-1.5/s + 0.5, 2*-0.5/s + 0.5, 2*0.5/s + 0.5, 2*1.5/s + 0.5}
	checkClose(t, "y", y, want, tol{Abs: 1e-6, Rel: 1e-6})
	checkClose(t, "running mean", rm, []float64{0.25}, tol{Abs: 1e-7})
	checkClose(t, "running var", rv, []float64{0.9 + 0.1*5.0/3}, tol{Abs: 1e-7})

	// dy = 1 everywhere shifts every output equally, which normalisation undoes: dx = 0,
	// gβ = 4, gγ = Σ x̂ = 0.
	dx := make([]float32, 4)
	b.Backward(x, []float32{1, 1, 1, 1}, dx, 2)
	checkClose(t, "dx", dx, []float64{0, 0, 0, 0}, tol{Abs: 1e-6})
	checkClose(t, "gβ", b.GBeta, []float64{4}, tol{})
	checkClose(t, "gγ", b.GGamma, []float64{0}, tol{Abs: 1e-6})

	// Eval uses the running statistics and leaves them alone.
	b.Forward(x, y, 2, false, true)
	sd := math.Sqrt(0.9 + 0.1*5.0/3 + 1e-5)
	checkClose(t, "eval y", y, []float64{2*(1-0.25)/sd + 0.5, 2*(2-0.25)/sd + 0.5,
		2*(3-0.25)/sd + 0.5, 2*(4-0.25)/sd + 0.5}, tol{Abs: 1e-6, Rel: 1e-6})
	checkClose(t, "running mean after eval", rm, []float64{0.25}, tol{Abs: 1e-7})
}

func TestBatchNormNoRunningUpdate(t *testing.T) {
	r := newRand(t)
	x := randn(r, 2*3*4)
	rm, rv := []float32{1, 2, 3}, []float32{4, 5, 6}
	b := NewBatchNorm2D(2, 3, 4, randn(r, 3), randn(r, 3), make([]float32, 3),
		make([]float32, 3), rm, rv)
	y := make([]float32, len(x))
	b.Forward(x, y, 2, true, false)
	checkClose(t, "running mean", rm, []float64{1, 2, 3}, tol{})
	checkClose(t, "running var", rv, []float64{4, 5, 6}, tol{})
	// Batch statistics: every channel of y has mean β.
	for c := 0; c < 3; c++ {
		var s float64
		for i := 0; i < 2; i++ {
			for _, v := range y[(i*3+c)*4:][:4] {
				s += float64(v)
			}
		}
		if got := s / 8; math.Abs(got-float64(b.Beta[c])) > 1e-5 {
			t.Errorf("channel %d mean %g, want β = %g", c, got, b.Beta[c])
		}
	}
}

// bnGradTol: batch norm is smooth but not linear, so central differences carry a
// truncation error of order h²·|third derivative| besides the float32 rounding of the
// loss's terms amplified by 1/2h. Small channels (4–18 values) are the most curved and
// take h = 1e-3; the 4096-value channels are nearly linear but their loss sums 32768
// rounded terms, so they take h = 1e-2. Both errors then stay well inside the bound.
var bnGradTol = tol{Abs: 2e-3, Rel: 1e-2}

func TestBatchNormGradients(t *testing.T) {
	for _, tc := range []struct {
		n, maxN, c, hw int
		h              float32
	}{
		{2, 2, 3, 4, 1e-3}, {1, 3, 2, 9, 1e-3}, {4, 4, 3, 1, 1e-3},
		{16, 16, 8, 256, 1e-2}, // splits over two goroutines
	} {
		t.Run(shape(tc.n, tc.c, tc.hw, 1), func(t *testing.T) {
			r := newRand(t)
			x := randn(r, tc.n*tc.c*tc.hw)
			gamma, beta := randn(r, tc.c), randn(r, tc.c)
			gg, gb := make([]float32, tc.c), make([]float32, tc.c)
			b := NewBatchNorm2D(tc.maxN, tc.c, tc.hw, gamma, beta, gg, gb,
				make([]float32, tc.c), make([]float32, tc.c))
			y := make([]float32, len(x))
			dy := randn(r, len(x))
			dx := make([]float32, len(x))
			b.Forward(x, y, tc.n, true, false)
			b.Backward(x, dy, dx, tc.n)
			loss := func() float64 {
				b.Forward(x, y, tc.n, true, false)
				return linearLoss(y, dy)
			}
			gradCheck(t, "dx", x, dx, loss, tc.h, bnGradTol)
			gradCheck(t, "dγ", gamma, gg, loss, tc.h, bnGradTol)
			gradCheck(t, "dβ", beta, gb, loss, tc.h, bnGradTol)
		})
	}
}

func TestBatchNormAliasing(t *testing.T) {
	// y may alias x in Forward and dx may alias dy in Backward.
	r := newRand(t)
	x := randn(r, 4*2*9)
	mk := func() *BatchNorm2D {
		return NewBatchNorm2D(4, 2, 9, []float32{1.5, 0.5}, []float32{0.1, -0.2},
			make([]float32, 2), make([]float32, 2), make([]float32, 2), []float32{1, 1})
	}
	b1, b2 := mk(), mk()
	y := make([]float32, len(x))
	b1.Forward(x, y, 4, true, true)
	dy := randn(r, len(x))
	dx := make([]float32, len(x))
	b1.Backward(x, dy, dx, 4)

	inPlace := append([]float32(nil), x...)
	b2.Forward(inPlace, inPlace, 4, true, true)
	checkClose(t, "in-place y", inPlace, widen(y), tol{})
	g := append([]float32(nil), dy...)
	b2.Backward(x, g, g, 4)
	checkClose(t, "in-place dx", g, widen(dx), tol{})
}
