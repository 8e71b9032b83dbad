package ref

import (
	"fmt"
	"math"
)

// BatchNorm2D is nn.BatchNorm2d with affine parameters and running statistics. In training
// it normalises each channel by the batch's mean and biased variance and moves the running
// averages by Momentum toward the batch mean and the unbiased variance, as PyTorch does; in
// eval it uses the running averages. Sums run in float64.
type BatchNorm2D struct {
	MaxN, C, HW int
	Eps         float64 // added to the variance: 1e-5
	Momentum    float64 // weight of the new batch in the running averages: 0.1

	Gamma, Beta, GGamma, GBeta []float32 // [C]: scale, shift and their gradients
	RunMean, RunVar            []float32 // [C]: running averages

	mean, invStd []float64 // [C]: the last training forward's batch statistics
	x, y, dy, dx []float32 // tensors of the current call, for the workers
	n            int
	train, upd   bool
	fwd, bwd     *fork
}

// NewBatchNorm2D builds a batch norm over c channels of hw pixels for up to maxN images.
// The parameter, gradient and running slices ([c] each) stay owned by the caller.
func NewBatchNorm2D(maxN, c, hw int, gamma, beta, ggamma, gbeta,
	runMean, runVar []float32) *BatchNorm2D {
	if maxN < 1 || c < 1 || hw < 1 {
		panic(fmt.Sprintf("ref: bad batch norm N=%d C=%d HW=%d", maxN, c, hw))
	}
	for _, t := range [][]float32{gamma, beta, ggamma, gbeta, runMean, runVar} {
		checkLen("batch norm parameter", t, c)
	}
	b := &BatchNorm2D{
		MaxN: maxN, C: c, HW: hw, Eps: 1e-5, Momentum: 0.1,
		Gamma: gamma, Beta: beta, GGamma: ggamma, GBeta: gbeta,
		RunMean: runMean, RunVar: runVar,
		mean: make([]float64, c), invStd: make([]float64, c),
	}
	b.fwd = newFork(b.forwardChannels)
	b.bwd = newFork(b.backwardChannels)
	return b
}

// Forward normalises x ([n, C, HW]) into y, which may alias x. With train set it uses and
// keeps the batch statistics (for Backward) and, with updateRunning also set, moves the
// running averages; otherwise it uses the running averages.
func (b *BatchNorm2D) Forward(x, y []float32, n int, train, updateRunning bool) {
	b.check(n, x, y)
	if train && n*b.HW < 2 && updateRunning {
		panic("ref: batch norm needs more than one value per channel to train")
	}
	b.x, b.y, b.n, b.train, b.upd = x, y, n, train, updateRunning
	b.fwd.run(b.C, n*b.C*b.HW >= parallelMin)
	b.x, b.y = nil, nil
}

// Backward sets GGamma, GBeta and dx ([n, C, HW]) from the forward input x and the output
// gradient dy, using the statistics of the last training Forward. dx may alias dy.
func (b *BatchNorm2D) Backward(x, dy, dx []float32, n int) {
	b.check(n, x, dy)
	checkLen("batch norm dx", dx, n*b.C*b.HW)
	b.x, b.dy, b.dx, b.n = x, dy, dx, n
	b.bwd.run(b.C, n*b.C*b.HW >= parallelMin)
	b.x, b.dy, b.dx = nil, nil, nil
}

func (b *BatchNorm2D) check(n int, in, out []float32) {
	if n < 1 || n > b.MaxN {
		panic(fmt.Sprintf("ref: batch norm batch %d outside 1…%d", n, b.MaxN))
	}
	checkLen("batch norm input", in, n*b.C*b.HW)
	checkLen("batch norm output", out, n*b.C*b.HW)
}

// plane returns image i's plane of channel c in t.
func (b *BatchNorm2D) plane(t []float32, i, c int) []float32 {
	return t[(i*b.C+c)*b.HW:][:b.HW]
}

// forwardChannels runs Forward for channels [lo, hi).
func (b *BatchNorm2D) forwardChannels(lo, hi int) {
	for c := lo; c < hi; c++ {
		mean, invStd := b.stats(c)
		mu, sc := float32(mean), float32(float64(b.Gamma[c])*invStd)
		beta := b.Beta[c]
		for i := 0; i < b.n; i++ {
			xp, yp := b.plane(b.x, i, c), b.plane(b.y, i, c)
			for j, v := range xp {
				yp[j] = (v-mu)*sc + beta
			}
		}
	}
}

// stats returns channel c's mean and 1/√(var+eps) for the current forward: the batch's,
// saved and folded into the running averages when asked, or the running ones.
func (b *BatchNorm2D) stats(c int) (mean, invStd float64) {
	if !b.train {
		return float64(b.RunMean[c]), 1 / math.Sqrt(float64(b.RunVar[c])+b.Eps)
	}
	var sum, ss float64
	for i := 0; i < b.n; i++ {
		sum += sum64(b.plane(b.x, i, c))
	}
	cnt := float64(b.n * b.HW)
	mean = sum / cnt
	for i := 0; i < b.n; i++ {
		ss += sumSqDev64(b.plane(b.x, i, c), mean)
	}
	variance := ss / cnt
	invStd = 1 / math.Sqrt(variance+b.Eps)
	b.mean[c], b.invStd[c] = mean, invStd
	if b.upd {
		m := b.Momentum
		b.RunMean[c] = float32((1-m)*float64(b.RunMean[c]) + m*mean)
		b.RunVar[c] = float32((1-m)*float64(b.RunVar[c]) + m*ss/(cnt-1))
	}
	return mean, invStd
}

// backwardChannels runs Backward for channels [lo, hi):
//
//	gβ = Σ dy,  gγ = Σ dy·x̂,  dx = γ/σ · (dy − gβ/m − x̂·gγ/m)
//
// with x̂ = (x − μ)/σ and m = n·HW values per channel.
func (b *BatchNorm2D) backwardChannels(lo, hi int) {
	for c := lo; c < hi; c++ {
		mean, invStd := b.mean[c], b.invStd[c]
		var sdy, sdyx float64
		for i := 0; i < b.n; i++ {
			s, sx := sumDot64(b.plane(b.dy, i, c), b.plane(b.x, i, c), mean)
			sdy += s
			sdyx += sx
		}
		gGamma := sdyx * invStd
		b.GBeta[c], b.GGamma[c] = float32(sdy), float32(gGamma)
		cnt := float64(b.n * b.HW)
		k := float64(b.Gamma[c]) * invStd
		// dx = k·dy + kx·(x − μ) + k0 with k = γ/σ, kx = −k·gγ/(σ·m), k0 = −k·gβ/m.
		mu, a := float32(mean), float32(k)
		kx, k0 := float32(-k*invStd*gGamma/cnt), float32(-k*sdy/cnt)
		for i := 0; i < b.n; i++ {
			xp, dp, op := b.plane(b.x, i, c), b.plane(b.dy, i, c), b.plane(b.dx, i, c)
			for j, v := range xp {
				op[j] = a*dp[j] + kx*(v-mu) + k0
			}
		}
	}
}

// The sums below keep four partial sums so that consecutive float64 additions do not wait
// on each other; a single chain runs at one addition per four cycles, which made batch
// norm slower than the memory it reads.

// sum64 returns Σ p in float64.
func sum64(p []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(p); i += 4 {
		q := p[i : i+4 : i+4]
		s0 += float64(q[0])
		s1 += float64(q[1])
		s2 += float64(q[2])
		s3 += float64(q[3])
	}
	for ; i < len(p); i++ {
		s0 += float64(p[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDev64 returns Σ (p − mean)² in float64.
func sumSqDev64(p []float32, mean float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(p); i += 4 {
		q := p[i : i+4 : i+4]
		d0, d1 := float64(q[0])-mean, float64(q[1])-mean
		d2, d3 := float64(q[2])-mean, float64(q[3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(p); i++ {
		d := float64(p[i]) - mean
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sumDot64 returns Σ dy and Σ dy·(x − mean) in float64.
func sumDot64(dy, x []float32, mean float64) (s, sx float64) {
	var s0, s1, t0, t1 float64
	x = x[:len(dy)]
	i := 0
	for ; i+2 <= len(dy); i += 2 {
		d0, d1 := float64(dy[i]), float64(dy[i+1])
		s0 += d0
		s1 += d1
		t0 += d0 * (float64(x[i]) - mean)
		t1 += d1 * (float64(x[i+1]) - mean)
	}
	for ; i < len(dy); i++ {
		d := float64(dy[i])
		s0 += d
		t0 += d * (float64(x[i]) - mean)
	}
	return s0 + s1, t0 + t1
}
