package ref

import "fmt"

// Conv2D is nn.Conv2d without bias: y[n, o] = Σ_c w[o, c] ⋆ x[n, c], with stride and zero
// padding. It runs as im2col followed by one GEMM per group of images (see colBudget).
type Conv2D struct {
	MaxN            int // largest batch the scratch holds
	InC, OutC       int
	InH, InW        int
	K, Stride, Pad  int
	OutH, OutW      int       // (In + 2·Pad − K)/Stride + 1
	W, GW           []float32 // weight and its gradient, [OutC, InC, K, K]
	core            *convCore
	inSize, outSize int
}

// NewConv2D builds a convolution for batches of up to maxN images of inC×inH×inW. w and gw
// ([outC, inC, k, k]) stay owned by the caller; Backward overwrites gw.
func NewConv2D(maxN, inC, outC, inH, inW, k, stride, pad int, w, gw []float32) *Conv2D {
	cv := newConvCore(maxN, inC, inH, inW, outC, k, stride, pad)
	checkLen("conv weight", w, outC*inC*k*k)
	checkLen("conv weight gradient", gw, outC*inC*k*k)
	return &Conv2D{
		MaxN: maxN, InC: inC, OutC: outC, InH: inH, InW: inW,
		K: k, Stride: stride, Pad: pad, OutH: cv.oh, OutW: cv.ow,
		W: w, GW: gw, core: cv,
		inSize: inC * inH * inW, outSize: outC * cv.oh * cv.ow,
	}
}

// Forward sets y ([n, OutC, OutH, OutW]) to the convolution of x ([n, InC, InH, InW]).
func (c *Conv2D) Forward(x, y []float32, n int) {
	c.check(x, y, n)
	if c.core.isDense() {
		c.forwardDense(x, y, n)
		return
	}
	cv, kk := c.core, c.InC*c.K*c.K
	for i0 := 0; i0 < n; i0 += cv.group {
		cv.setGroup(i0, min(cv.group, n-i0))
		cv.im2col(x)
		out := cv.colSide(y)
		Sgemm(false, false, c.OutC, cv.ld(), kk, 1, c.W, kk, cv.col, cv.ld(), 0, out, cv.ld())
		cv.scatter(y)
	}
}

// Backward sets GW to dL/dw and, unless dx is nil, dx to dL/dx, from the forward input x
// and the output gradient dy.
func (c *Conv2D) Backward(x, dy, dx []float32, n int) {
	c.check(x, dy, n)
	c.backward(x, dy, dx, n, true)
}

// BackwardData sets dx to dL/dx from the output gradient dy and leaves GW as it is: the
// input gradient alone, for a pass that needs no weight gradient (D's backward when G
// trains through it). It skips the im2col and the GEMM of the weight gradient.
func (c *Conv2D) BackwardData(dy, dx []float32, n int) {
	c.check(dx, dy, n)
	c.backward(nil, dy, dx, n, false)
}

func (c *Conv2D) backward(x, dy, dx []float32, n int, weights bool) {
	if dx != nil {
		checkLen("conv dx", dx, n*c.inSize)
	}
	if c.core.isDense() {
		c.backwardDense(x, dy, dx, n, weights)
		return
	}
	cv, kk := c.core, c.InC*c.K*c.K
	var beta float32
	for i0 := 0; i0 < n; i0 += cv.group {
		cv.setGroup(i0, min(cv.group, n-i0))
		cv.gather(dy)
		g := cv.colSide(dy)
		if weights {
			cv.im2col(x)
			Sgemm(false, true, c.OutC, kk, cv.ld(), 1, g, cv.ld(), cv.col, cv.ld(), beta,
				c.GW, kk)
			beta = 1
		}
		if dx == nil {
			continue
		}
		Sgemm(true, false, kk, cv.ld(), c.OutC, 1, c.W, kk, g, cv.ld(), 0, cv.col, cv.ld())
		cv.col2im(dx)
	}
}

// check panics when n or the tensors do not fit the layer.
func (c *Conv2D) check(in, out []float32, n int) {
	if n < 1 || n > c.MaxN {
		panic(fmt.Sprintf("ref: conv batch %d outside 1…%d", n, c.MaxN))
	}
	checkLen("conv input", in, n*c.inSize)
	checkLen("conv output", out, n*c.outSize)
}

// checkLen panics unless t holds at least want elements.
func checkLen(what string, t []float32, want int) {
	if len(t) < want {
		panic(fmt.Sprintf("ref: %s has %d elements, want %d", what, len(t), want))
	}
}
