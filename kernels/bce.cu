/*
 * bce.cu: BCE-with-logits, the loss of both nets, reduced to its mean on the device.
 *
 * D gives one logit per image, so n is the batch size. The forward kernels run as ONE block
 * of DCGAN_BCE_THREADS threads: thread t sums elements t, t+T, t+2T, ... in double, then a
 * shared-memory tree adds the partial sums in a fixed order. The result depends only on n,
 * never on scheduling, and one launch gives the loss, the mean probability (D(x) or D(G(z))
 * in the PyTorch example's log) and, fused, the gradient the backward pass starts from.
 */
#include "bce.h"
#include "grid.cuh"

/* block_sum2 adds a and b over the block in a fixed order; every thread gets the totals. */
__device__ static void block_sum2(double *a, double *b)
{
    __shared__ double sa[DCGAN_BCE_THREADS];
    __shared__ double sb[DCGAN_BCE_THREADS];
    int t = threadIdx.x;

    sa[t] = *a;
    sb[t] = *b;
    __syncthreads();
    for (int half = DCGAN_BCE_THREADS / 2; half > 0; half /= 2) {
        if (t < half) {
            sa[t] += sa[t + half];
            sb[t] += sb[t + half];
        }
        __syncthreads();
    }
    *a = sa[0];
    *b = sb[0];
}

/*
 * bce_logits_mean writes the mean loss of the n logits x against target and the mean of
 * sigmoid(x); with dx not NULL it also writes the gradient of the mean loss.
 */
__device__ static void bce_logits_mean(const float *x, float *loss, float *prob_mean, float *dx,
                                       int n, float target)
{
    double sum_loss = 0.0, sum_prob = 0.0;

    dcgan_bce_logits_partial(x, n, threadIdx.x, target, dx, &sum_loss, &sum_prob);
    block_sum2(&sum_loss, &sum_prob);
    if (threadIdx.x == 0) {
        double inv_n = 1.0 / n;
        *loss = n > 0 ? (float)(sum_loss * inv_n) : 0.0f;
        *prob_mean = n > 0 ? (float)(sum_prob * inv_n) : 0.0f;
    }
}

/*
 * bce_logits_forward writes loss[0] = mean BCE(x, target) and prob_mean[0] = mean sigmoid(x).
 * Launch: one block of DCGAN_BCE_THREADS threads.
 */
extern "C" __global__ void __launch_bounds__(DCGAN_BCE_THREADS)
    bce_logits_forward(const float *x, float *loss, float *prob_mean, int n, float target)
{
    bce_logits_mean(x, loss, prob_mean, NULL, n, target);
}

/*
 * bce_logits_forward_backward is bce_logits_forward plus dx = (sigmoid(x) - target)/n, the
 * gradient of the mean loss: each BCE of a DCGAN step needs all three, so one launch does it.
 * Launch: one block of DCGAN_BCE_THREADS threads.
 */
extern "C" __global__ void __launch_bounds__(DCGAN_BCE_THREADS)
    bce_logits_forward_backward(const float *x, float *loss, float *prob_mean, float *dx, int n,
                                float target)
{
    bce_logits_mean(x, loss, prob_mean, dx, n, target);
}

/* bce_logits_backward writes dx = (sigmoid(x) - target)/n. Any grid. */
extern "C" __global__ void bce_logits_backward(const float *x, float *dx, int n, float target)
{
    double inv_n = 1.0 / n;
    DCGAN_FOR_EACH(i, n) { dx[i] = dcgan_bce_logits_grad(x[i], target, inv_n); }
}
