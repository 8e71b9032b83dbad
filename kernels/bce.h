/*
 * bce.h: per-element binary cross-entropy on logits, the loss of both nets.
 *
 * D's output is one logit per image, so these run over a batch (tens to a few thousand
 * values) and cost nothing next to the convolutions: they work in double, as the CPU
 * reference does, and the kernels agree with it to the last float32 bit or nearly.
 */
#ifndef DCGAN_KERNELS_BCE_H
#define DCGAN_KERNELS_BCE_H

#include <stddef.h>

#include "hd.h"

/* sigmoid returns 1/(1+exp(-z)) without overflow for large |z|. */
DCGAN_HD double dcgan_sigmoid(double z)
{
    if (z >= 0.0) {
        return 1.0 / (1.0 + exp(-z));
    }
    double e = exp(z);
    return e / (1.0 + e);
}

/*
 * bce_logits_loss returns max(z, 0) - z*t + log1p(exp(-|z|)), the loss of logit z against
 * target t (1 real, 0 fake); PyTorch's BCEWithLogitsLoss before the mean. A NaN logit gives
 * a NaN loss.
 */
DCGAN_HD double dcgan_bce_logits_loss(double z, double t)
{
    return (z < 0.0 ? 0.0 : z) - z * t + log1p(exp(-fabs(z)));
}

/*
 * bce_logits_grad returns the gradient of the mean loss over n logits with respect to z:
 * (sigmoid(z) - t)/n, with inv_n = 1.0/n.
 */
DCGAN_HD float dcgan_bce_logits_grad(double z, double t, double inv_n)
{
    return (float)((dcgan_sigmoid(z) - t) * inv_n);
}

/* DCGAN_BCE_THREADS is the block size the reducing BCE kernels run with (bce.cu). */
#define DCGAN_BCE_THREADS 256

/*
 * dcgan_bce_logits_partial is thread t's share of the reducing BCE kernels: it adds the loss
 * and sigmoid of logits t, t+DCGAN_BCE_THREADS, ... to *sum_loss and *sum_prob, in that
 * order, and, with dx not NULL, writes their gradients. The kernel then adds the threads'
 * sums in a fixed tree, so the result depends on n only.
 */
DCGAN_HD void dcgan_bce_logits_partial(const float *x, int n, int t, double target, float *dx,
                                       double *sum_loss, double *sum_prob)
{
    double inv_n = 1.0 / n;
    for (int i = t; i < n; i += DCGAN_BCE_THREADS) {
        double z = x[i];
        *sum_loss += dcgan_bce_logits_loss(z, target);
        *sum_prob += dcgan_sigmoid(z);
        if (dx != NULL) {
            dx[i] = dcgan_bce_logits_grad(z, target, inv_n);
        }
    }
}

#endif /* DCGAN_KERNELS_BCE_H */
