/*
 * hd.h: what lets the per-element math of the kernels compile both as CUDA device code and as
 * plain host C, so that the Go tests (package kernels, through cgo) check the very functions the
 * kernels run against the CPU reference.
 *
 * DCGAN_HD marks such a function: __host__ __device__ and inlined under nvcc, static inline
 * under a C compiler. The functions use only what both sides have: <math.h> and <stdint.h>
 * types, IEEE float and double arithmetic, and the C math library's functions.
 *
 * NOTE [floating-point contraction]: build.sh passes --fmad=false to nvcc, and the pragmas
 * below turn contraction off in a C compiler (cgo does not accept -ffp-contract=off), so
 * neither side fuses a*b+c into one rounding unless the source says fmaf. Host and device then
 * round every operation the same way, and the only differences left are those of the math
 * libraries (tanhf, exp, log, sin, ...).
 */
#ifndef DCGAN_KERNELS_HD_H
#define DCGAN_KERNELS_HD_H

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define DCGAN_HD __host__ __device__ __forceinline__
#else
#define DCGAN_HD static inline
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#endif

#endif /* DCGAN_KERNELS_HD_H */
