package ref

import "math"

// BCEWithLogits returns the mean binary cross-entropy of the logits x against one target t
// (1 for real, 0 for fake), as PyTorch's BCEWithLogitsLoss with reduction "mean":
//
//	mean over i of max(x_i, 0) − x_i·t + log1p(exp(−|x_i|))
//
// which neither overflows nor loses the small losses of confident logits. The sum runs in
// float64. If dx is not nil it receives the gradient of the mean, (sigmoid(x_i) − t)/len(x).
func BCEWithLogits(x []float32, target float32, dx []float32) float64 {
	if len(x) == 0 {
		return 0
	}
	t := float64(target)
	inv := 1 / float64(len(x))
	var sum float64
	for i, v := range x {
		z := float64(v)
		sum += math.Max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z)))
		if dx != nil {
			dx[i] = float32((sigmoid64(z) - t) * inv)
		}
	}
	return sum * inv
}
