/*
 * activation.h: per-element ReLU, LeakyReLU and Tanh, forward and backward, as PyTorch
 * computes them in float32.
 */
#ifndef DCGAN_KERNELS_ACTIVATION_H
#define DCGAN_KERNELS_ACTIVATION_H

#include "hd.h"

/* relu_forward returns max(x, 0); a NaN stays NaN, as in PyTorch (clamp_min keeps NaN). */
DCGAN_HD float dcgan_relu_forward(float x) { return x <= 0.0f ? 0.0f : x; }

/* relu_backward passes dy where the forward output y is positive (threshold_backward). */
DCGAN_HD float dcgan_relu_backward(float y, float dy) { return y <= 0.0f ? 0.0f : dy; }

/* leaky_relu_forward returns x for x > 0 and slope*x otherwise. */
DCGAN_HD float dcgan_leaky_relu_forward(float x, float slope) { return x > 0.0f ? x : x * slope; }

/*
 * leaky_relu_backward passes dy where x > 0 and slope*dy elsewhere. For slope > 0 the forward
 * output has the sign of its input, so x may be the output of an in-place forward.
 */
DCGAN_HD float dcgan_leaky_relu_backward(float x, float dy, float slope)
{
    return x > 0.0f ? dy : dy * slope;
}

/* tanh_forward is the float32 tanhf of the math library (CUDA: at most 2 ulp off). */
DCGAN_HD float dcgan_tanh_forward(float x) { return tanhf(x); }

/*
 * tanh_backward returns dy*(1 - y*y) from the forward output y, with 1 - y*y as one fused
 * multiply-add as PyTorch's vectorised tanh_backward computes it (near |y| = 1 it keeps the
 * digits a rounded y*y would cancel).
 */
DCGAN_HD float dcgan_tanh_backward(float y, float dy) { return dy * fmaf(-y, y, 1.0f); }

#endif /* DCGAN_KERNELS_ACTIVATION_H */
