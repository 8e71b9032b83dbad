package ref

import "fmt"

// NOTE [transposed convolution as backward-data]
//
// ConvTranspose2d(x; w) with w laid out [InC, OutC, K, K] is exactly the input gradient
// (cuDNN's "backward data") of the Conv2d that maps OutC channels of the transposed
// convolution's output size to InC channels of its input size, with the same w, stride and
// padding. So the forward pass here is GEMM + col2im (the conv's backward-data), the input
// gradient is im2col + GEMM (the conv's forward), and the weight gradient is the conv's
// weight gradient with the roles of x and dy swapped. The GPU path calls cuDNN's
// cudnnConvolutionBackwardData for the forward pass for the same reason.

// ConvTranspose2D is nn.ConvTranspose2d without bias. See NOTE [transposed convolution
// as backward-data].
type ConvTranspose2D struct {
	MaxN            int // largest batch the scratch holds
	InC, OutC       int
	InH, InW        int
	K, Stride, Pad  int
	OutH, OutW      int       // (In − 1)·Stride − 2·Pad + K
	W, GW           []float32 // weight and its gradient, [InC, OutC, K, K] (PyTorch layout)
	core            *convCore // image side: the output; column side: the input
	inSize, outSize int
}

// NewConvTranspose2D builds a transposed convolution for up to maxN inputs of inC×inH×inW.
// w and gw ([inC, outC, k, k]) stay owned by the caller; Backward overwrites gw.
func NewConvTranspose2D(maxN, inC, outC, inH, inW, k, stride, pad int,
	w, gw []float32) *ConvTranspose2D {
	oh, ow := (inH-1)*stride-2*pad+k, (inW-1)*stride-2*pad+k
	if oh < 1 || ow < 1 {
		panic(fmt.Sprintf("ref: transposed convolution output %d×%d", oh, ow))
	}
	cv := newConvCore(maxN, outC, oh, ow, inC, k, stride, pad)
	if cv.oh != inH || cv.ow != inW {
		panic(fmt.Sprintf("ref: transposed convolution %d×%d→%d×%d does not invert",
			inH, inW, oh, ow))
	}
	checkLen("transposed conv weight", w, inC*outC*k*k)
	checkLen("transposed conv weight gradient", gw, inC*outC*k*k)
	return &ConvTranspose2D{
		MaxN: maxN, InC: inC, OutC: outC, InH: inH, InW: inW,
		K: k, Stride: stride, Pad: pad, OutH: oh, OutW: ow,
		W: w, GW: gw, core: cv,
		inSize: inC * inH * inW, outSize: outC * oh * ow,
	}
}

// Forward sets y ([n, OutC, OutH, OutW]) to the transposed convolution of x
// ([n, InC, InH, InW]).
func (c *ConvTranspose2D) Forward(x, y []float32, n int) {
	c.check(x, y, n)
	if c.core.isDense() {
		c.forwardDense(x, y, n)
		return
	}
	cv, kk := c.core, c.OutC*c.K*c.K
	for i0 := 0; i0 < n; i0 += cv.group {
		cv.setGroup(i0, min(cv.group, n-i0))
		cv.gather(x)
		in := cv.colSide(x)
		Sgemm(true, false, kk, cv.ld(), c.InC, 1, c.W, kk, in, cv.ld(), 0, cv.col, cv.ld())
		cv.col2im(y)
	}
}

// Backward sets GW to dL/dw and, unless dx is nil, dx to dL/dx, from the forward input x
// and the output gradient dy.
func (c *ConvTranspose2D) Backward(x, dy, dx []float32, n int) {
	c.check(x, dy, n)
	if dx != nil {
		checkLen("transposed conv dx", dx, n*c.inSize)
	}
	if c.core.isDense() {
		c.backwardDense(x, dy, dx, n)
		return
	}
	cv, kk := c.core, c.OutC*c.K*c.K
	var beta float32
	for i0 := 0; i0 < n; i0 += cv.group {
		cv.setGroup(i0, min(cv.group, n-i0))
		cv.im2col(dy)
		cv.gather(x)
		in := cv.colSide(x)
		Sgemm(false, true, c.InC, kk, cv.ld(), 1, in, cv.ld(), cv.col, cv.ld(), beta, c.GW, kk)
		beta = 1
		if dx == nil {
			continue
		}
		out := cv.colSide(dx)
		Sgemm(false, false, c.InC, cv.ld(), kk, 1, c.W, kk, cv.col, cv.ld(), 0, out, cv.ld())
		cv.scatter(dx)
	}
}

// check panics when n or the tensors do not fit the layer.
func (c *ConvTranspose2D) check(in, out []float32, n int) {
	if n < 1 || n > c.MaxN {
		panic(fmt.Sprintf("ref: transposed conv batch %d outside 1…%d", n, c.MaxN))
	}
	checkLen("transposed conv input", in, n*c.inSize)
	checkLen("transposed conv output", out, n*c.outSize)
}
