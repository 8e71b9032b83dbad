/*
 * activation.cu: ReLU (G's hidden layers), LeakyReLU (D's) and Tanh (G's output).
 *
 * Each forward may run in place (y == x) and each backward may write over its incoming
 * gradient (dx == dy): every element is read and written by one thread, so the pointers are
 * deliberately not __restrict__. An in-place forward follows cuDNN's batch norm in G and D,
 * as nn.ReLU(True) and nn.LeakyReLU(0.2, True) do in the PyTorch example.
 */
#include "activation.h"
#include "grid.cuh"

extern "C" __global__ void relu_forward(const float *x, float *y, int n)
{
    DCGAN_FOR_EACH(i, n) { y[i] = dcgan_relu_forward(x[i]); }
}

/* relu_backward takes the forward output y: ReLU's in-place forward leaves no input. */
extern "C" __global__ void relu_backward(const float *y, const float *dy, float *dx, int n)
{
    DCGAN_FOR_EACH(i, n) { dx[i] = dcgan_relu_backward(y[i], dy[i]); }
}

extern "C" __global__ void leaky_relu_forward(const float *x, float *y, int n, float slope)
{
    DCGAN_FOR_EACH(i, n) { y[i] = dcgan_leaky_relu_forward(x[i], slope); }
}

/* leaky_relu_backward takes the forward input or, for slope > 0, its in-place output. */
extern "C" __global__ void leaky_relu_backward(const float *x, const float *dy, float *dx, int n,
                                               float slope)
{
    DCGAN_FOR_EACH(i, n) { dx[i] = dcgan_leaky_relu_backward(x[i], dy[i], slope); }
}

extern "C" __global__ void tanh_forward(const float *x, float *y, int n)
{
    DCGAN_FOR_EACH(i, n) { y[i] = dcgan_tanh_forward(x[i]); }
}

extern "C" __global__ void tanh_backward(const float *y, const float *dy, float *dx, int n)
{
    DCGAN_FOR_EACH(i, n) { dx[i] = dcgan_tanh_backward(y[i], dy[i]); }
}
