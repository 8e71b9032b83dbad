package ref

import "math"

// ReLUForward sets y = max(x, 0). y may alias x.
func ReLUForward(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v <= 0 {
			y[i] = 0
		} else {
			y[i] = v // NaN passes, as in PyTorch, so the step's finiteness check sees it
		}
	}
}

// ReLUBackward sets dx = 0 where the forward output y is <= 0 and dx = dy elsewhere (NaN
// included), as PyTorch's threshold_backward does. dx may alias dy.
func ReLUBackward(y, dy, dx []float32) {
	dy, dx = dy[:len(y)], dx[:len(y)]
	for i, v := range y {
		if v <= 0 {
			dx[i] = 0
		} else {
			dx[i] = dy[i]
		}
	}
}

// LeakyReLUForward sets y = x for x > 0 and slope·x otherwise. y may alias x.
func LeakyReLUForward(x, y []float32, slope float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = v * slope
		}
	}
}

// LeakyReLUBackward sets dx = dy where the forward input x is positive and slope·dy
// elsewhere. dx may alias dy.
func LeakyReLUBackward(x, dy, dx []float32, slope float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = dy[i] * slope
		}
	}
}

// TanhForward sets y = tanh(x), computed in float64 and rounded once. y may alias x.
func TanhForward(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}

// TanhBackward sets dx = dy·(1 − y²) from the forward output y, the formula PyTorch's
// tanh_backward uses, with 1 − y² as one fused multiply-add as PyTorch's vectorised kernel
// computes it (near |y| = 1 that keeps the digits a separate product would cancel).
// dx may alias dy.
func TanhBackward(y, dy, dx []float32) {
	dy, dx = dy[:len(y)], dx[:len(y)]
	for i, v := range y {
		dx[i] = dy[i] * fma32(-v, v, 1)
	}
}

// Sigmoid returns 1/(1+e^−x), computed in float64 and rounded once.
func Sigmoid(x float32) float32 {
	return float32(sigmoid64(float64(x)))
}

// sigmoid64 is the logistic function without overflow for large |x|.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
