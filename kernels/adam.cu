/*
 * adam.cu: torch.optim.Adam over a whole net in one launch.
 *
 * A net's parameters, gradients and the two moments each live in one flat arena with the
 * same layout, so one element-wise pass over n = all of the net's learned values is the
 * whole optimizer step. The per-step scalars (bias corrections, step size) are worked out on
 * the host (package kernels, AdamScalarsFor).
 */
#include "adam.h"
#include "grid.cuh"

/*
 * adam_update takes one Adam step on p[0..n) with gradients g and moments m, v. If skip is
 * not NULL and *skip is not zero (check_finite found a NaN or Inf in this step's losses or
 * gradients) it changes nothing, so a bad step is dropped without a round trip to the host.
 */
extern "C" __global__ void adam_update(float *p, const float *g, float *m, float *v,
                                       const unsigned int *skip, int n, float beta1,
                                       float one_minus_beta1, float beta2, float one_minus_beta2,
                                       float neg_step_size, float bias_correction2_sqrt, float eps)
{
    if (skip != NULL && *skip != 0) {
        return;
    }
    dcgan_adam_scalars s = {beta1,         one_minus_beta1,       beta2, one_minus_beta2,
                            neg_step_size, bias_correction2_sqrt, eps};
    DCGAN_FOR_EACH(i, n) { dcgan_adam(&p[i], g[i], &m[i], &v[i], s); }
}
