/*
 * batch.cu: preparing a real batch on the device, and checking a step for NaN and Inf.
 */
#include "batch.h"
#include "grid.cuh"

/*
 * normalize_u8 maps n uint8 pixels (a batch as loaded, uploaded once) to float32 in [-1, 1]:
 * dst[i] = (src[i]/255 - 0.5)/0.5. Any grid.
 */
extern "C" __global__ void normalize_u8(const uint8_t *src, float *dst, int n)
{
    DCGAN_FOR_EACH(i, n) { dst[i] = dcgan_normalize_u8(src[i]); }
}

/*
 * check_finite sets *flag to 1 if any of x[0..n) is NaN or infinite and leaves it alone
 * otherwise; the caller clears it once per step, runs this over the step's losses and
 * gradient arenas, and adam_update skips the step if it is set. Any grid.
 */
extern "C" __global__ void check_finite(const float *x, unsigned int *flag, int n)
{
    DCGAN_FOR_EACH(i, n)
    {
        if (!dcgan_is_finite(x[i])) {
            *flag = 1u; /* every writer stores the same value: the race is harmless */
        }
    }
}
