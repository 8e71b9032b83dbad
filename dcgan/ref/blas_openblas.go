//go:build cgo && !noopenblas

package ref

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"strings"
	"unsafe"
)

// blasAllocates is false: a cgo call to OpenBLAS allocates nothing on the Go heap.
const blasAllocates = false

// Sgemm computes c = alpha*op(a)*op(b) + beta*c on row-major matrices, where op(a) is
// m×k, op(b) is k×n and c is m×n. transA/transB select the transposes. It calls OpenBLAS's
// cblas_sgemm, which runs on all cores with OpenBLAS's own threads.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	ta, tb := C.CblasNoTrans, C.CblasNoTrans
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	var pa, pb *C.float
	if k > 0 {
		pa = (*C.float)(unsafe.Pointer(&a[0]))
		pb = (*C.float)(unsafe.Pointer(&b[0]))
	}
	C.cblas_sgemm(C.CblasRowMajor, uint32(ta), uint32(tb), C.blasint(m), C.blasint(n),
		C.blasint(k), C.float(alpha), pa, C.blasint(lda), pb, C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

// BLASName names the BLAS that Sgemm calls, with OpenBLAS's configuration string,
// e.g. "OpenBLAS 0.3.21 (DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64, 2 threads)".
func BLASName() string {
	cfg := strings.TrimSpace(C.GoString(C.openblas_get_config()))
	return "OpenBLAS " + strings.TrimPrefix(cfg, "OpenBLAS ") +
		" (" + itoa(int(C.openblas_get_num_threads())) + " threads)"
}
