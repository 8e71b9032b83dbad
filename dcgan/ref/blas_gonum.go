//go:build !cgo || noopenblas

package ref

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var gonumImpl gonum.Implementation

// BLASAllocates is true because gonum's parallel Sgemm allocates its work queue on every
// call, so in this build the convolutions allocate a few KiB per call.
const BLASAllocates = true

// Sgemm computes c = alpha*op(a)*op(b) + beta*c on row-major matrices, where op(a) is
// m×k, op(b) is k×n and c is m×n. transA/transB select the transposes. This build uses
// gonum's pure Go BLAS (built without cgo or with the noopenblas tag): correct, but about
// ten times slower than OpenBLAS, and it allocates a little on each call.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	gonumImpl.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// BLASName names the BLAS that Sgemm calls.
func BLASName() string { return "gonum (pure Go)" }
