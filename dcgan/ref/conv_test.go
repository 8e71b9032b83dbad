package ref

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convCase is one convolution geometry; n < maxN checks that a short batch works.
type convCase struct{ n, maxN, inC, outC, h, k, s, p int }

var convCases = []convCase{
	{2, 2, 3, 4, 8, 4, 2, 1},  // DCGAN's down-sampling conv
	{3, 4, 5, 2, 4, 4, 1, 0},  // D's last conv, to 1×1
	{2, 2, 2, 3, 5, 3, 1, 1},  // odd size, "same" padding
	{1, 3, 2, 2, 7, 3, 2, 0},  // stride 2 without padding, odd size
	{2, 2, 1, 1, 6, 2, 3, 2},  // stride larger than the kernel
	{2, 2, 2, 2, 3, 4, 1, 2},  // kernel larger than the image
	{4, 4, 3, 5, 16, 4, 2, 1}, // big enough for the two-goroutine paths
}

// naiveConv is the convolution by its definition, in float64.
func naiveConv(x, w []float32, c convCase, oh int) []float64 {
	y := make([]float64, c.n*c.outC*oh*oh)
	for n := 0; n < c.n; n++ {
		for o := 0; o < c.outC; o++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < oh; ox++ {
					var s float64
					for ci := 0; ci < c.inC; ci++ {
						for ki := 0; ki < c.k; ki++ {
							for kj := 0; kj < c.k; kj++ {
								iy, ix := oy*c.s-c.p+ki, ox*c.s-c.p+kj
								if iy < 0 || iy >= c.h || ix < 0 || ix >= c.h {
									continue
								}
								xv := x[((n*c.inC+ci)*c.h+iy)*c.h+ix]
								s += float64(xv) * float64(w[((o*c.inC+ci)*c.k+ki)*c.k+kj])
							}
						}
					}
					y[((n*c.outC+o)*oh+oy)*oh+ox] = s
				}
			}
		}
	}
	return y
}

// forEachGroup runs f for every case with the default im2col budget and with budgets that
// make each GEMM cover one image and two images (three-image batches then end with a short
// group). colSize returns a case's im2col floats per image.
func forEachGroup(t *testing.T, colSize func(convCase) int, f func(*testing.T, convCase)) {
	old := colBudget
	defer func() { colBudget = old }()
	for _, g := range []int{0, 1, 2} {
		for _, cc := range convCases {
			colBudget = old
			if g > 0 {
				colBudget = g * colSize(cc)
			}
			t.Run(fmt.Sprintf("group%d/%s", g, shape(cc.n, cc.inC, cc.h, cc.h)),
				func(t *testing.T) { f(t, cc) })
		}
	}
}

// convColSize is a Conv2D's im2col floats per image.
func convColSize(cc convCase) int {
	o := (cc.h+2*cc.p-cc.k)/cc.s + 1
	return cc.inC * cc.k * cc.k * o * o
}

func TestConvByHand(t *testing.T) {
	// One channel, 3×3 image, 2×2 kernel, stride 1, no padding: each output is the dot
	// product of the kernel with one 2×2 window.
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := []float32{1, 0, -1, 2}
	c := NewConv2D(1, 1, 1, 3, 3, 2, 1, 0, w, make([]float32, 4))
	y := make([]float32, 4)
	c.Forward(x, y, 1)
	want := []float64{1 - 4 + 2*5, 2 - 5 + 2*6, 4 - 7 + 2*8, 5 - 8 + 2*9}
	checkClose(t, "y", y, want, tol{})

	// With padding 1 and stride 2 on a 3×3 kernel of ones the outputs are the sums of the
	// 2×2 corners of the image.
	ones := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
	c = NewConv2D(1, 1, 1, 3, 3, 3, 2, 1, ones, make([]float32, 9))
	c.Forward(x, y, 1)
	checkClose(t, "y", y, []float64{1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9},
		tol{})

	// dL/dw[ki, kj] for dy = ones sums the pixels that weight touches: kernel row 0 and 2
	// only ever see image row 1 (the others fall in the padding), kernel row 1 sees image
	// rows 0 and 2; likewise for columns.
	dx := make([]float32, 9)
	c.Backward(x, []float32{1, 1, 1, 1}, dx, 1)
	checkClose(t, "gw", c.GW, []float64{5, 4 + 6, 5, 2 + 8, 1 + 3 + 7 + 9, 2 + 8, 5, 4 + 6, 5},
		tol{})
	// dL/dx for dy = ones counts the windows each pixel falls in.
	checkClose(t, "dx", dx, []float64{1, 2, 1, 2, 4, 2, 1, 2, 1}, tol{})
}

func TestConvMatchesDefinition(t *testing.T) {
	forEachGroup(t, convColSize, func(t *testing.T, cc convCase) {
		r := newRand(t)
		x := randn(r, cc.n*cc.inC*cc.h*cc.h)
		w := randn(r, cc.outC*cc.inC*cc.k*cc.k)
		c := NewConv2D(cc.maxN, cc.inC, cc.outC, cc.h, cc.h, cc.k, cc.s, cc.p, w,
			make([]float32, len(w)))
		y := make([]float32, cc.n*cc.outC*c.OutH*c.OutW)
		c.Forward(x, y, cc.n)
		// float32 GEMM sums of up to inC·k·k products of N(0,1) values: rounding
		// stays far below 1e-5 of the sum's scale.
		checkClose(t, "y", y, naiveConv(x, w, cc, c.OutH), tol{Abs: 1e-5, Rel: 1e-5})
	})
}

// linearLoss returns Σ r·y in float64: its gradient with respect to y is r.
func linearLoss(y, r []float32) float64 { return dot64(y, r) }

// convGradTol bounds central differences of a linear layer: there is no truncation error,
// only float32 rounding of y (≈1e-7·|y|·√terms) amplified by 1/2h with h = 1e-2.
var convGradTol = tol{Abs: 2e-3, Rel: 2e-3}

func TestConvGradients(t *testing.T) {
	forEachGroup(t, convColSize, func(t *testing.T, cc convCase) {
		checkConvGrad(t, newRand(t), cc)
	})
}

func checkConvGrad(t *testing.T, r *rand.Rand, cc convCase) {
	x := randn(r, cc.n*cc.inC*cc.h*cc.h)
	w := randn(r, cc.outC*cc.inC*cc.k*cc.k)
	gw := make([]float32, len(w))
	c := NewConv2D(cc.maxN, cc.inC, cc.outC, cc.h, cc.h, cc.k, cc.s, cc.p, w, gw)
	y := make([]float32, cc.n*cc.outC*c.OutH*c.OutW)
	dy := randn(r, len(y))
	dx := make([]float32, len(x))
	for i := range gw {
		gw[i] = 42 // Backward must overwrite, not accumulate
	}
	c.Backward(x, dy, dx, cc.n)
	loss := func() float64 {
		c.Forward(x, y, cc.n)
		return linearLoss(y, dy)
	}
	gradCheck(t, "dx", x, dx, loss, 1e-2, convGradTol)
	gradCheck(t, "dw", w, gw, loss, 1e-2, convGradTol)

	// Without dx the weight gradient is the same.
	saved := append([]float32(nil), gw...)
	c.Backward(x, dy, nil, cc.n)
	checkClose(t, "gw without dx", gw, widen(saved), tol{})

	// BackwardData gives the same dx, bit for bit, and leaves the weight gradient alone.
	for i := range gw {
		gw[i] = 7
	}
	dx2 := make([]float32, len(x))
	c.BackwardData(dy, dx2, cc.n)
	checkClose(t, "BackwardData dx", dx2, widen(dx), tol{})
	for i, v := range gw {
		if v != 7 {
			t.Fatalf("BackwardData wrote gw[%d] = %g", i, v)
		}
	}
}
