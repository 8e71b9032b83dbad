package ref

import (
	"fmt"
	"testing"
)

// The benchmarks run each layer of the PyTorch example's DCGAN (64×64×3, ngf = ndf = 64)
// at batch 64. Sub-benchmarks are named by the layer's input, N_C_HxW; GFLOP/s counts
// 2 flops per multiply-add of the convolution (backward: weight and input gradients).

// benchConv is one convolution layer of the DCGAN.
type benchConv struct{ inC, outC, in, k, s, p int }

// discConvs are D's convolutions, generatorConvs G's transposed ones.
var (
	discConvs = []benchConv{
		{3, 64, 64, 4, 2, 1}, {64, 128, 32, 4, 2, 1}, {128, 256, 16, 4, 2, 1},
		{256, 512, 8, 4, 2, 1}, {512, 1, 4, 4, 1, 0},
	}
	generatorConvs = []benchConv{
		{100, 512, 1, 4, 1, 0}, {512, 256, 4, 4, 2, 1}, {256, 128, 8, 4, 2, 1},
		{128, 64, 16, 4, 2, 1}, {64, 3, 32, 4, 2, 1},
	}
)

const benchN = 64

func (c benchConv) name() string { return fmt.Sprintf("N%d_C%d_%dx%d", benchN, c.inC, c.in, c.in) }

// reportGFLOPs reports flops per op as GFLOP/s.
func reportGFLOPs(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkConvForward(b *testing.B)  { benchConvs(b, false) }
func BenchmarkConvBackward(b *testing.B) { benchConvs(b, true) }

func benchConvs(b *testing.B, backward bool) {
	for _, c := range discConvs {
		b.Run(c.name(), func(b *testing.B) {
			r := newRand(b)
			w := randn(r, c.outC*c.inC*c.k*c.k)
			l := NewConv2D(benchN, c.inC, c.outC, c.in, c.in, c.k, c.s, c.p, w,
				make([]float32, len(w)))
			x := randn(r, benchN*c.inC*c.in*c.in)
			y := randn(r, benchN*c.outC*l.OutH*l.OutW)
			dx := make([]float32, len(x))
			flops := 2 * float64(len(y)) * float64(c.inC*c.k*c.k)
			for b.Loop() {
				if backward {
					l.Backward(x, y, dx, benchN)
				} else {
					l.Forward(x, y, benchN)
				}
			}
			reportGFLOPs(b, flops*map[bool]float64{false: 1, true: 2}[backward])
		})
	}
}

func BenchmarkConvTransposeForward(b *testing.B)  { benchConvTs(b, false) }
func BenchmarkConvTransposeBackward(b *testing.B) { benchConvTs(b, true) }

func benchConvTs(b *testing.B, backward bool) {
	for _, c := range generatorConvs {
		b.Run(c.name(), func(b *testing.B) {
			r := newRand(b)
			w := randn(r, c.outC*c.inC*c.k*c.k)
			l := NewConvTranspose2D(benchN, c.inC, c.outC, c.in, c.in, c.k, c.s, c.p, w,
				make([]float32, len(w)))
			x := randn(r, benchN*c.inC*c.in*c.in)
			y := randn(r, benchN*c.outC*l.OutH*l.OutW)
			dx := make([]float32, len(x))
			flops := 2 * float64(len(x)) * float64(c.outC*c.k*c.k)
			for b.Loop() {
				if backward {
					l.Backward(x, y, dx, benchN)
				} else {
					l.Forward(x, y, benchN)
				}
			}
			reportGFLOPs(b, flops*map[bool]float64{false: 1, true: 2}[backward])
		})
	}
}

func BenchmarkBatchNorm(b *testing.B) {
	for _, s := range []struct{ c, side int }{{64, 32}, {128, 16}, {256, 8}, {512, 4}} {
		r := newRand(b)
		x := randn(r, benchN*s.c*s.side*s.side)
		y, dx := make([]float32, len(x)), make([]float32, len(x))
		l := NewBatchNorm2D(benchN, s.c, s.side*s.side, randn(r, s.c), randn(r, s.c),
			make([]float32, s.c), make([]float32, s.c), make([]float32, s.c),
			make([]float32, s.c))
		name := fmt.Sprintf("N%d_C%d_%dx%d", benchN, s.c, s.side, s.side)
		b.Run("Forward/"+name, func(b *testing.B) {
			b.SetBytes(int64(8 * len(x)))
			for b.Loop() {
				l.Forward(x, y, benchN, true, true)
			}
		})
		b.Run("Backward/"+name, func(b *testing.B) {
			b.SetBytes(int64(12 * len(x)))
			for b.Loop() {
				l.Backward(x, y, dx, benchN)
			}
		})
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		b.Run(fmt.Sprintf("%dx%dx%d", n, n, n), func(b *testing.B) {
			r := newRand(b)
			a, bm, c := randn(r, n*n), randn(r, n*n), make([]float32, n*n)
			for b.Loop() {
				Sgemm(false, false, n, n, n, 1, a, n, bm, n, 0, c, n)
			}
			reportGFLOPs(b, 2*float64(n)*float64(n)*float64(n))
		})
	}
}
