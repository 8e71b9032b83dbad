/*
 * noise.cu: the normal noise G draws, on the device, identical to the CPU reference's.
 */
#include "grid.cuh"
#include "noise.h"

/*
 * noise_normal writes out[i] = mean + std*Normal(seed, stream, i) for i in [0, n), in float32
 * (mean 0 and std 1 give the normals exactly). Each thread computes one Philox block: four
 * numbers. Any grid; n/4 rounded up threads cover it.
 */
extern "C" __global__ void noise_normal(float *out, int n, unsigned long long seed,
                                        unsigned long long stream, float mean, float std)
{
    int64_t blocks = ((int64_t)n + 3) / 4;
    DCGAN_FOR_EACH(b, blocks)
    {
        float z[4];
        dcgan_normal4(seed, stream, (uint64_t)b, z);
        for (int j = 0; j < 4 && 4 * b + j < n; j++) {
            out[4 * b + j] = mean + std * z[j];
        }
    }
}
