package ref

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// go test -run TestTune -v  (TUNE=1)
func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	budgets := []int{1 << 18, 1 << 20, 1 << 22}
	if s := os.Getenv("BUDGETS"); s != "" {
		budgets = nil
		for _, f := range splitComma(s) {
			v, _ := strconv.Atoi(f)
			budgets = append(budgets, v)
		}
	}
	old := colBudget
	defer func() { colBudget = old }()
	reps := 3
	for _, c := range append(discConvs[:4:4], generatorConvs[1:]...) {
		tr := c.in < 4 || c.outC < c.inC && c.in < 32 && c.inC != 3 && c.outC != 1
		_ = tr
	}
	for round := 0; round < 2; round++ {
		for _, bud := range budgets {
			colBudget = bud
			var total time.Duration
			line := ""
			for i, c := range discConvs[:4] {
				d := timeConv(c, false, reps)
				total += d
				line += fmt.Sprintf(" D%d %5.1fms", i, ms(d))
			}
			for i, c := range generatorConvs[1:] {
				d := timeConv(c, true, reps)
				total += d
				line += fmt.Sprintf(" G%d %5.1fms", i+1, ms(d))
			}
			t.Logf("budget %8d total %6.1fms:%s", bud, ms(total), line)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func splitComma(s string) (out []string) {
	cur := ""
	for _, r := range s {
		if r == ',' {
			out = append(out, cur)
			cur = ""
		} else {
			cur += string(r)
		}
	}
	return append(out, cur)
}

// timeConv returns the best of reps forward+backward times.
func timeConv(c benchConv, transposed bool, reps int) time.Duration {
	w := make([]float32, c.outC*c.inC*c.k*c.k)
	gw := make([]float32, len(w))
	var fwd, bwd func(x, y, dx []float32)
	var ylen int
	if transposed {
		l := NewConvTranspose2D(benchN, c.inC, c.outC, c.in, c.in, c.k, c.s, c.p, w, gw)
		ylen = benchN * c.outC * l.OutH * l.OutW
		fwd = func(x, y, dx []float32) { l.Forward(x, y, benchN) }
		bwd = func(x, y, dx []float32) { l.Backward(x, y, dx, benchN) }
	} else {
		l := NewConv2D(benchN, c.inC, c.outC, c.in, c.in, c.k, c.s, c.p, w, gw)
		ylen = benchN * c.outC * l.OutH * l.OutW
		fwd = func(x, y, dx []float32) { l.Forward(x, y, benchN) }
		bwd = func(x, y, dx []float32) { l.Backward(x, y, dx, benchN) }
	}
	x := make([]float32, benchN*c.inC*c.in*c.in)
	y := make([]float32, ylen)
	dx := make([]float32, len(x))
	best := time.Hour
	for i := 0; i < reps; i++ {
		t0 := time.Now()
		fwd(x, y, dx)
		bwd(x, y, dx)
		best = min(best, time.Since(t0))
	}
	return best
}
