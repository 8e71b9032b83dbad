package ref

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// newRand returns a generator seeded by the test's name, so every test draws its own
// fixed numbers.
func newRand(t testing.TB) *rand.Rand {
	var h uint64 = 14695981039346656037
	for _, c := range []byte(t.Name()) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return rand.New(rand.NewPCG(h, 7))
}

// randn returns n standard normal float32s.
func randn(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// dot64 returns Σ a_i·b_i accumulated in float64.
func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// maxAbs returns the largest |v|.
func maxAbs(v []float32) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	return m
}

// tol is an absolute-plus-relative bound: |got − want| ≤ Abs + Rel·|want|.
type tol struct{ Abs, Rel float64 }

func (b tol) ok(got, want float64) bool {
	return math.Abs(got-want) <= b.Abs+b.Rel*math.Abs(want)
}

// checkClose fails t at the first few elements of got outside b around want.
func checkClose(t testing.TB, what string, got []float32, want []float64, b tol) {
	t.Helper()
	if len(got) < len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, w := range want {
		if g := float64(got[i]); !b.ok(g, w) || math.IsNaN(g) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d] = %.8g, want %.8g (|diff| %.3g, bound %.3g)",
					what, i, g, w, math.Abs(g-w), b.Abs+b.Rel*math.Abs(w))
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values outside the bound", what, bad, len(want))
	}
}

// widen converts to float64.
func widen(v []float32) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = float64(x)
	}
	return w
}

// gradCheck compares the analytic gradient of loss with respect to v against central
// differences with step h: (loss(v_i+h) − loss(v_i−h)) / 2h, for every element (or every
// stride-th one). loss must evaluate in float64 from the current contents of v.
func gradCheck(t *testing.T, what string, v, analytic []float32, loss func() float64,
	h float32, b tol) {
	t.Helper()
	stride := max(1, len(v)/200)
	bad := 0
	for i := 0; i < len(v); i += stride {
		old := v[i]
		v[i] = old + h
		hi := float64(v[i])
		lp := loss()
		v[i] = old - h
		lo := float64(v[i])
		lm := loss()
		v[i] = old
		fd := (lp - lm) / (hi - lo)
		if a := float64(analytic[i]); !b.ok(a, fd) {
			if bad++; bad <= 5 {
				t.Errorf("%s: d/d[%d] analytic %.7g, central difference %.7g", what, i, a, fd)
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d gradients outside %+v", what, bad, b)
	}
}

// shape names a test case.
func shape(n, c, h, w int) string { return fmt.Sprintf("N%d_C%d_%dx%d", n, c, h, w) }
