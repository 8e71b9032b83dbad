package kernels

import "math"

// AdamScalars are the per-step float32 numbers adam_update takes after its four arrays, in
// the kernel's argument order (dcgan_adam_scalars in adam.h).
type AdamScalars struct {
	Beta1, OneMinusBeta1 float32
	Beta2, OneMinusBeta2 float32
	NegStepSize          float32 // −lr/(1−β1^t)
	BiasCorrection2Sqrt  float32 // √(1−β2^t)
	Eps                  float32
}

// AdamScalarsFor works out step t's scalars (t counts from 1) from hyperparameters held as
// float64, the way PyTorch does from its Python floats and dcgan/ref.AdamUpdate64 does: the
// bias corrections and the step size in float64, each rounded once to float32.
func AdamScalarsFor(t int64, lr, beta1, beta2, eps float64) AdamScalars {
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	return AdamScalars{
		Beta1:               float32(beta1),
		OneMinusBeta1:       float32(1 - beta1),
		Beta2:               float32(beta2),
		OneMinusBeta2:       float32(1 - beta2),
		NegStepSize:         float32(-(lr / bc1)),
		BiasCorrection2Sqrt: float32(math.Sqrt(bc2)),
		Eps:                 float32(eps),
	}
}
