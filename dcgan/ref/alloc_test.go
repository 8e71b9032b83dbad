package ref

import "testing"

// TestNoAllocations checks the contract that layers allocate nothing after construction,
// on shapes large enough that the loops split over two goroutines and images are grouped.
func TestNoAllocations(t *testing.T) {
	r := newRand(t)
	const n, maxN = 6, 8
	conv := NewConv2D(maxN, 8, 16, 32, 32, 4, 2, 1, randn(r, 16*8*16), make([]float32, 16*8*16))
	x, y := randn(r, n*8*32*32), make([]float32, n*16*16*16)
	dy, dx := randn(r, len(y)), make([]float32, len(x))

	convT := NewConvTranspose2D(maxN, 16, 8, 16, 16, 4, 2, 1, randn(r, 16*8*16),
		make([]float32, 16*8*16))
	tx, ty := randn(r, n*16*16*16), make([]float32, n*8*32*32)
	tdy, tdx := randn(r, len(ty)), make([]float32, len(tx))

	c := 8
	bn := NewBatchNorm2D(maxN, c, 32*32, randn(r, c), randn(r, c), make([]float32, c),
		make([]float32, c), make([]float32, c), make([]float32, c))
	p, g := randn(r, 100), randn(r, 100)
	m, v := make([]float32, 100), make([]float32, 100)
	noise := make([]float32, 1000)

	for _, c := range []struct {
		name  string
		f     func()
		gemms bool
	}{
		{"conv forward", func() { conv.Forward(x, y, n) }, true},
		{"conv backward", func() { conv.Backward(x, dy, dx, n) }, true},
		{"conv transpose forward", func() { convT.Forward(tx, ty, n) }, true},
		{"conv transpose backward", func() { convT.Backward(tx, tdy, tdx, n) }, true},
		{"batch norm forward", func() { bn.Forward(x, dx, n, true, true) }, false},
		{"batch norm backward", func() { bn.Backward(x, tdy, dx, n) }, false},
		{"adam", func() { AdamUpdate(p, g, m, v, 3, 2e-4, 0.5, 0.999, 1e-8) }, false},
		{"noise", func() { FillNormal(noise, 1, 2) }, false},
	} {
		if c.gemms && BLASAllocates {
			continue // gonum's Sgemm allocates: see blas_gonum.go
		}
		if a := testing.AllocsPerRun(5, c.f); a != 0 {
			t.Errorf("%s: %v allocations per run", c.name, a)
		}
	}
}
