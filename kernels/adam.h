/*
 * adam.h: one element of torch.optim.Adam's step (no weight decay, no amsgrad).
 */
#ifndef DCGAN_KERNELS_ADAM_H
#define DCGAN_KERNELS_ADAM_H

#include "hd.h"

/*
 * dcgan_adam_scalars are the float32 numbers of one step, worked out on the host in double
 * the way PyTorch does from its Python floats (package kernels, AdamScalarsFor):
 *   beta1, one_minus_beta1, beta2, one_minus_beta2: the betas and their complements,
 *   neg_step_size: -lr/(1 - beta1^t),
 *   bias_correction2_sqrt: sqrt(1 - beta2^t),
 *   eps.
 */
typedef struct {
    float beta1, one_minus_beta1;
    float beta2, one_minus_beta2;
    float neg_step_size;
    float bias_correction2_sqrt;
    float eps;
} dcgan_adam_scalars;

/*
 * dcgan_adam updates one parameter p with gradient g and moments m, v:
 *   m = beta1*m + (1-beta1)*g
 *   v = beta2*v + (1-beta2)*g*g
 *   p = p + (-step_size*m) / (sqrt(v)/sqrt(1-beta2^t) + eps)
 * operation by operation as the CPU reference (dcgan/ref.AdamUpdate64) orders them, the last
 * multiply-add of each moment fused into one rounding as PyTorch's vectorised kernels do.
 */
DCGAN_HD void dcgan_adam(float *p, float g, float *m, float *v, dcgan_adam_scalars s)
{
    float mi = fmaf(g, s.one_minus_beta1, *m * s.beta1);
    float vi = fmaf(s.one_minus_beta2 * g, g, *v * s.beta2);
    float denom = sqrtf(vi) / s.bias_correction2_sqrt + s.eps;
    *p += (s.neg_step_size * mi) / denom;
    *m = mi;
    *v = vi;
}

#endif /* DCGAN_KERNELS_ADAM_H */
