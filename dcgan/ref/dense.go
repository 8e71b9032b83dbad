package ref

// A convolution whose kernel covers the whole unpadded image (D's last layer: 4×4 to 1×1)
// and a transposed convolution from a 1×1 input (G's first layer: noise to 4×4) are dense
// layers: their im2col matrix is the NCHW tensor itself, read as [N, C·K·K]. They skip
// im2col and col2im and run as one GEMM over the batch.

// isDense reports whether the column side is 1×1 and every kernel tap reads the image.
func (cv *convCore) isDense() bool {
	return cv.oh == 1 && cv.ow == 1 && cv.p == 0 && cv.k == cv.h && cv.k == cv.w
}

// forwardDense is Conv2D.Forward for a dense convolution: y[n, o] = Σ_r x[n, r]·w[o, r].
func (c *Conv2D) forwardDense(x, y []float32, n int) {
	kk := c.InC * c.K * c.K
	Sgemm(false, true, n, c.OutC, kk, 1, x, kk, c.W, kk, 0, y, c.OutC)
}

// backwardDense is Conv2D.Backward for a dense convolution.
func (c *Conv2D) backwardDense(x, dy, dx []float32, n int, weights bool) {
	kk := c.InC * c.K * c.K
	if weights {
		Sgemm(true, false, c.OutC, kk, n, 1, dy, c.OutC, x, kk, 0, c.GW, kk)
	}
	if dx != nil {
		Sgemm(false, false, n, kk, c.OutC, 1, dy, c.OutC, c.W, kk, 0, dx, kk)
	}
}

// forwardDense is ConvTranspose2D.Forward from a 1×1 input: y[n, r] = Σ_c x[n, c]·w[c, r].
func (c *ConvTranspose2D) forwardDense(x, y []float32, n int) {
	kk := c.OutC * c.K * c.K
	Sgemm(false, false, n, kk, c.InC, 1, x, c.InC, c.W, kk, 0, y, kk)
}

// backwardDense is ConvTranspose2D.Backward from a 1×1 input.
func (c *ConvTranspose2D) backwardDense(x, dy, dx []float32, n int) {
	kk := c.OutC * c.K * c.K
	Sgemm(true, false, c.InC, kk, n, 1, x, c.InC, dy, kk, 0, c.GW, kk)
	if dx != nil {
		Sgemm(false, true, n, c.InC, kk, 1, dy, kk, c.W, kk, 0, dx, c.InC)
	}
}
