package ref

import "math"

// AdamUpdate takes one Adam step on the parameters p with gradients g and moments m, v,
// following torch.optim.Adam (no weight decay, no amsgrad) operation by operation, so that
// float32 results match PyTorch's to the last bit or nearly:
//
//	m = β1·m + (1−β1)·g
//	v = β2·v + (1−β2)·g·g
//	step = lr/(1−β1^t);  denom = √v/√(1−β2^t) + eps
//	p = p − step·m/denom
//
// t is the step number, starting at 1. PyTorch holds lr and the betas as Python floats
// (float64) and derives 1−β and the step size from them before rounding to float32.
// AdamUpdate widens its float32 arguments, so for β2 = 0.999, whose float32 is off by
// 1e-8, its 1−β2 differs from PyTorch's by 1e-5 relative; use AdamUpdate64 with the
// float64 hyperparameters to match PyTorch.
func AdamUpdate(p, g, m, v []float32, t int64, lr, beta1, beta2, eps float32) {
	AdamUpdate64(p, g, m, v, t, float64(lr), float64(beta1), float64(beta2), float64(eps))
}

// AdamUpdate64 is AdamUpdate with the hyperparameters as float64, which is how PyTorch
// computes the bias corrections and the step size before rounding them to float32.
func AdamUpdate64(p, g, m, v []float32, t int64, lr, beta1, beta2, eps float64) {
	n := len(p)
	g, m, v = g[:n], m[:n], v[:n]
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	step := float32(-(lr / bc1))
	bc2Sqrt := float32(math.Sqrt(bc2))
	b1, a1 := float32(beta1), float32(1-beta1)
	b2, a2 := float32(beta2), float32(1-beta2)
	e := float32(eps)
	for i := range p {
		gi := g[i]
		mi := fma32(gi, a1, m[i]*b1)
		vi := fma32(a2*gi, gi, v[i]*b2)
		denom := sqrt32(vi)/bc2Sqrt + e
		p[i] += (step * mi) / denom
		m[i], v[i] = mi, vi
	}
}

// fma32 returns a·b + c rounded once, as the fused multiply-adds in PyTorch's vectorised
// CPU kernels (add with alpha, addcmul, tanh_backward) do; plain float32 arithmetic
// differs from PyTorch in the last bit of about one value in five. The float64 product of
// two float32s is exact, so only the sum rounds twice, which changes the float32 result
// in rare halfway cases only.
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
