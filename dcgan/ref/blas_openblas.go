//go:build cgo && !noopenblas

package ref

/*
#cgo LDFLAGS: -lopenblas -ldl
#include <cblas.h>
#include <dlfcn.h>
#include <stdlib.h>

// NOTE [OpenBLAS idle threads]: after a GEMM, OpenBLAS's worker threads spin for
// 2^OPENBLAS_THREAD_TIMEOUT cycles (default 2^28, about 0.1 s) before they sleep. A DCGAN
// step runs hundreds of GEMMs with Go work between them (im2col, batch norm, activations),
// so on a 2-core machine the spinning worker takes a core from that Go work: the step ran
// 15-25% slower than with a short timeout. The timeout is read once, when the library
// loads, so unless the user has set it, dcgan_short_blas_spin sets it to 2^10 and restarts
// the thread pool through OpenBLAS's exported (internal) entry points, found with dlsym so
// that a BLAS without them (another build, another version) is left as it is.
static int dcgan_short_blas_spin(void) {
	void (*read_env)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "openblas_read_env");
	int (*stop)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
	int (*start)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_init");
	if (read_env == NULL || stop == NULL || start == NULL ||
		getenv("OPENBLAS_THREAD_TIMEOUT") != NULL) {
		return 0;
	}
	setenv("OPENBLAS_THREAD_TIMEOUT", "10", 0);
	read_env();
	stop();
	start();
	return 1;
}
*/
import "C"

import (
	"strings"
	"unsafe"
)

// shortSpin records whether init shortened OpenBLAS's idle spin (see the NOTE above).
var shortSpin = C.dcgan_short_blas_spin() == 1

// BLASAllocates is false: a cgo call to OpenBLAS allocates nothing on the Go heap.
const BLASAllocates = false

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
	name := "OpenBLAS " + strings.TrimPrefix(cfg, "OpenBLAS ") +
		" (" + itoa(int(C.openblas_get_num_threads())) + " threads"
	if shortSpin {
		name += ", idle spin 2^10 cycles"
	}
	return name + ")"
}
