package ref

import "math"

// NOTE [branch-free activations]: after batch norm about half of a layer's values are
// negative, in no pattern a branch predictor can learn, so a branch per element is
// mispredicted half the time. The loops below choose with max, or with a mask or a factor
// set by an if that the compiler turns into a conditional move: about five times faster on
// the 2-core machine, with results identical bit for bit to the branching form (NaN
// included).

// ReLUForward sets y = max(x, 0). y may alias x.
func ReLUForward(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0) // NaN passes, as in PyTorch, so the step's finiteness check sees it
	}
}

// ReLUBackward sets dx = 0 where the forward output y is <= 0 and dx = dy elsewhere (NaN
// included), as PyTorch's threshold_backward does. dx may alias dy.
func ReLUBackward(y, dy, dx []float32) {
	dy, dx = dy[:len(y)], dx[:len(y)]
	for i, v := range y {
		keep := uint32(math.MaxUint32)
		if v <= 0 {
			keep = 0
		}
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & keep)
	}
}

// LeakyReLUForward sets y = x for x > 0 and slope·x otherwise. y may alias x.
func LeakyReLUForward(x, y []float32, slope float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = v * leakyFactor(v, slope)
	}
}

// LeakyReLUBackward sets dx = dy where the forward input x is positive and slope·dy
// elsewhere. dx may alias dy.
func LeakyReLUBackward(x, dy, dx []float32, slope float32) {
	dy, dx = dy[:len(x)], dx[:len(x)]
	for i, v := range x {
		dx[i] = dy[i] * leakyFactor(v, slope)
	}
}

// leakyFactor is 1 for v > 0 and slope otherwise (NaN included), chosen without a branch.
func leakyFactor(v, slope float32) float32 {
	pick := uint32(0)
	if v > 0 {
		pick = math.MaxUint32
	}
	s := math.Float32bits(slope)
	return math.Float32frombits(s ^ (s^one32)&pick)
}

// one32 is the bits of float32(1).
const one32 = 0x3f800000

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
