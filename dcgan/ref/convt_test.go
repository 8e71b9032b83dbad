package ref

import (
	"fmt"
	"testing"
)

// convTCase is one transposed convolution; h is the input side.
type convTCase struct{ n, maxN, inC, outC, h, k, s, p int }

var convTCases = []convTCase{
	{3, 4, 5, 4, 1, 4, 1, 0}, // G's first layer: 1×1 noise to 4×4
	{2, 2, 4, 3, 4, 4, 2, 1}, // G's up-sampling layers: doubles the side
	{2, 2, 2, 3, 3, 3, 1, 1}, // "same" padding
	{1, 3, 3, 2, 3, 3, 2, 0}, // stride 2 without padding, odd output
	{2, 2, 2, 2, 3, 2, 3, 0}, // stride larger than the kernel leaves zero gaps
	{4, 4, 8, 6, 8, 4, 2, 1}, // big enough for the two-goroutine paths
}

func (c convTCase) out() int { return (c.h-1)*c.s - 2*c.p + c.k }

// naiveConvT is the transposed convolution by its definition: every input pixel scatters
// its value times the kernel into the output, in float64.
func naiveConvT(x, w []float32, c convTCase) []float64 {
	oh := c.out()
	y := make([]float64, c.n*c.outC*oh*oh)
	for n := 0; n < c.n; n++ {
		for ci := 0; ci < c.inC; ci++ {
			for iy := 0; iy < c.h; iy++ {
				for ix := 0; ix < c.h; ix++ {
					xv := float64(x[((n*c.inC+ci)*c.h+iy)*c.h+ix])
					for o := 0; o < c.outC; o++ {
						for ki := 0; ki < c.k; ki++ {
							for kj := 0; kj < c.k; kj++ {
								oy, ox := iy*c.s-c.p+ki, ix*c.s-c.p+kj
								if oy < 0 || oy >= oh || ox < 0 || ox >= oh {
									continue
								}
								wv := float64(w[((ci*c.outC+o)*c.k+ki)*c.k+kj])
								y[((n*c.outC+o)*oh+oy)*oh+ox] += xv * wv
							}
						}
					}
				}
			}
		}
	}
	return y
}

// forEachTGroup is forEachGroup for transposed convolutions.
func forEachTGroup(t *testing.T, f func(*testing.T, convTCase)) {
	old := colBudget
	defer func() { colBudget = old }()
	for _, g := range []int{0, 1, 2} {
		for _, cc := range convTCases {
			colBudget = old
			if g > 0 {
				colBudget = g * cc.outC * cc.k * cc.k * cc.h * cc.h
			}
			t.Run(fmt.Sprintf("group%d/%s", g, shape(cc.n, cc.inC, cc.h, cc.h)),
				func(t *testing.T) { f(t, cc) })
		}
	}
}

func TestConvTransposeByHand(t *testing.T) {
	// A 1×1 input of value 2 through a 2×2 kernel, stride 1, no padding: the output is the
	// kernel times 2.
	c := NewConvTranspose2D(1, 1, 1, 1, 1, 2, 1, 0, []float32{1, 2, 3, 4}, make([]float32, 4))
	y := make([]float32, 4)
	c.Forward([]float32{2}, y, 1)
	checkClose(t, "y", y, []float64{2, 4, 6, 8}, tol{})

	// A 2×2 input, 2×2 kernel of ones, stride 1: overlapping stamps add up, so the 3×3
	// output counts how many input pixels reach each place, weighted by their values.
	c = NewConvTranspose2D(1, 1, 1, 2, 2, 2, 1, 0, []float32{1, 1, 1, 1}, make([]float32, 4))
	y = make([]float32, 9)
	c.Forward([]float32{1, 2, 3, 4}, y, 1)
	checkClose(t, "y", y, []float64{1, 3, 2, 4, 10, 6, 3, 7, 4}, tol{})

	// Its weight gradient for dy = ones: every kernel tap sees every input pixel once.
	dx := make([]float32, 4)
	c.Backward([]float32{1, 2, 3, 4}, make9(1), dx, 1)
	checkClose(t, "gw", c.GW, []float64{10, 10, 10, 10}, tol{})
	// And each input pixel's gradient sums the four taps it stamped.
	checkClose(t, "dx", dx, []float64{4, 4, 4, 4}, tol{})
}

func make9(v float32) []float32 {
	s := make([]float32, 9)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestConvTransposeMatchesDefinition(t *testing.T) {
	forEachTGroup(t, func(t *testing.T, cc convTCase) {
		r := newRand(t)
		x := randn(r, cc.n*cc.inC*cc.h*cc.h)
		w := randn(r, cc.inC*cc.outC*cc.k*cc.k)
		c := NewConvTranspose2D(cc.maxN, cc.inC, cc.outC, cc.h, cc.h, cc.k, cc.s, cc.p, w,
			make([]float32, len(w)))
		if c.OutH != cc.out() || c.OutW != cc.out() {
			t.Fatalf("output %d×%d, want side %d", c.OutH, c.OutW, cc.out())
		}
		y := make([]float32, cc.n*cc.outC*c.OutH*c.OutW)
		for i := range y {
			y[i] = 42 // Forward must overwrite
		}
		c.Forward(x, y, cc.n)
		// float32 sums of at most inC·k·k products of N(0,1) values.
		checkClose(t, "y", y, naiveConvT(x, w, cc), tol{Abs: 1e-5, Rel: 1e-5})
	})
}

func TestConvTransposeGradients(t *testing.T) {
	forEachTGroup(t, func(t *testing.T, cc convTCase) {
		r := newRand(t)
		x := randn(r, cc.n*cc.inC*cc.h*cc.h)
		w := randn(r, cc.inC*cc.outC*cc.k*cc.k)
		gw := make([]float32, len(w))
		c := NewConvTranspose2D(cc.maxN, cc.inC, cc.outC, cc.h, cc.h, cc.k, cc.s, cc.p, w, gw)
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
	})
}
