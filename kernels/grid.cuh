/*
 * grid.cuh: the launch shape the element-wise kernels share (CUDA only).
 *
 * Element-wise kernels run a grid-stride loop, so any grid covers any n; the Go launcher
 * picks the grid (gpu/kernels.go). Indices are 64-bit so that i + stride cannot overflow.
 */
#ifndef DCGAN_KERNELS_GRID_CUH
#define DCGAN_KERNELS_GRID_CUH

#include <stdint.h>

/* DCGAN_FOR_EACH runs its body once for every i in [0, n) across the whole grid. */
#define DCGAN_FOR_EACH(i, n)                                                                       \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (int64_t)(n);             \
         i += (int64_t)blockDim.x * gridDim.x)

#endif /* DCGAN_KERNELS_GRID_CUH */
