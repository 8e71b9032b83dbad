package ref

import (
	"strings"
	"testing"
)

func TestSgemm(t *testing.T) {
	r := newRand(t)
	const m, n, k = 7, 5, 9
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			// Leading dimensions wider than the matrices check the strides.
			lda, ldb, ldc := k+2, n+1, n+3
			if ta {
				lda = m + 2
			}
			if tb {
				ldb = k + 1
			}
			a, b := randn(r, 12*lda), randn(r, 12*ldb)
			c := randn(r, m*ldc)
			want := make([]float64, len(c))
			for i := 0; i < m; i++ {
				for j := 0; j < ldc; j++ {
					want[i*ldc+j] = float64(c[i*ldc+j])
					if j >= n {
						continue // outside the matrix: untouched
					}
					var s float64
					for p := 0; p < k; p++ {
						av, bv := a[i*lda+p], b[p*ldb+j]
						if ta {
							av = a[p*lda+i]
						}
						if tb {
							bv = b[j*ldb+p]
						}
						s += float64(av) * float64(bv)
					}
					want[i*ldc+j] = 1.5*s + 0.5*want[i*ldc+j]
				}
			}
			Sgemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, ldc)
			checkClose(t, "c", c, want, tol{Abs: 1e-5, Rel: 1e-5})
		}
	}
	if name := BLASName(); !strings.Contains(name, "BLAS") && !strings.Contains(name, "gonum") {
		t.Errorf("BLASName() = %q", name)
	}
}

func TestSgemmRejectsShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a too short c")
		}
	}()
	Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0,
		make([]float32, 3), 2)
}
