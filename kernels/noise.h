/*
 * noise.h: counter-based normal noise, Philox4x32-10 with Box-Muller, the same numbers as
 * the CPU reference's ref.Normal(seed, stream, i).
 */
#ifndef DCGAN_KERNELS_NOISE_H
#define DCGAN_KERNELS_NOISE_H

#include "hd.h"

/* Philox4x32 round multipliers and Weyl key increments (Salmon et al., SC 2011). */
#define DCGAN_PHILOX_M0 0xD2511F53u
#define DCGAN_PHILOX_M1 0xCD9E8D57u
#define DCGAN_PHILOX_W0 0x9E3779B9u
#define DCGAN_PHILOX_W1 0xBB67AE85u

/* 2*pi rounded to double, the same double as Go's 2*math.Pi. */
#define DCGAN_TWO_PI 6.283185307179586

/* 2^-24, the spacing of the uniforms. */
#define DCGAN_TWO_POW_M24 5.9604644775390625e-08

/* dcgan_u32x4 is a Philox counter or output block. */
typedef struct {
    uint32_t v[4];
} dcgan_u32x4;

/* dcgan_mulhilo returns a*b: its high word, and its low word in *lo. */
DCGAN_HD uint32_t dcgan_mulhilo(uint32_t a, uint32_t b, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *lo = (uint32_t)p;
    return (uint32_t)(p >> 32);
}

/* dcgan_philox4x32_10 runs ten Philox rounds on ctr under the key (k0, k1). */
DCGAN_HD dcgan_u32x4 dcgan_philox4x32_10(dcgan_u32x4 ctr, uint32_t k0, uint32_t k1)
{
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += DCGAN_PHILOX_W0;
            k1 += DCGAN_PHILOX_W1;
        }
        uint32_t lo0, lo1;
        uint32_t hi0 = dcgan_mulhilo(DCGAN_PHILOX_M0, ctr.v[0], &lo0);
        uint32_t hi1 = dcgan_mulhilo(DCGAN_PHILOX_M1, ctr.v[2], &lo1);
        dcgan_u32x4 next = {{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
        ctr = next;
    }
    return ctr;
}

/* dcgan_uniform maps a Philox word to (r>>8 + 0.5)*2^-24, exactly, in (0, 1). */
DCGAN_HD double dcgan_uniform(uint32_t r) { return ((double)(r >> 8) + 0.5) * DCGAN_TWO_POW_M24; }

/*
 * dcgan_normal4 writes the four standard normals of block b of a stream: numbers 4b to 4b+3.
 * The counter is {lo(b), hi(b), lo(stream), hi(stream)}, the key {lo(seed), hi(seed)}; each
 * pair of words (u0, u1) gives sqrt(-2 ln u0)*cos(2 pi u1) and sqrt(-2 ln u0)*sin(2 pi u1).
 *
 * The arithmetic is double, rounded once to float32 at the end, as ref.Normal does: a whole
 * DCGAN step draws batch*nz numbers, so double costs nothing even on GPUs with slow double
 * units, and CPU and GPU runs start from the same noise. Double and float32 would part ways at
 * the uniforms already: (r>>8)+0.5 needs 25 significant bits.
 */
DCGAN_HD void dcgan_normal4(uint64_t seed, uint64_t stream, uint64_t b, float out[4])
{
    dcgan_u32x4 ctr = {
        {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)}};
    dcgan_u32x4 r = dcgan_philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
    for (int j = 0; j < 4; j += 2) {
        double rad = sqrt(-2.0 * log(dcgan_uniform(r.v[j])));
        double theta = DCGAN_TWO_PI * dcgan_uniform(r.v[j + 1]);
        out[j] = (float)(rad * cos(theta));
        out[j + 1] = (float)(rad * sin(theta));
    }
}

#endif /* DCGAN_KERNELS_NOISE_H */
