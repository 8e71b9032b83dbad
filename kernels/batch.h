/*
 * batch.h: per-element input preparation and checks: uint8 pixels to [-1, 1], and finiteness.
 */
#ifndef DCGAN_KERNELS_BATCH_H
#define DCGAN_KERNELS_BATCH_H

#include "hd.h"

/*
 * dcgan_normalize_u8 maps a pixel 0..255 to [-1, 1] as torchvision's ToTensor followed by
 * Normalize(0.5, 0.5): (v/255 - 0.5)/0.5 in float32, bit for bit the CPU reference's table.
 */
DCGAN_HD float dcgan_normalize_u8(uint8_t v) { return ((float)v / 255.0f - 0.5f) / 0.5f; }

/* dcgan_is_finite reports whether x is neither NaN nor infinite. */
DCGAN_HD int dcgan_is_finite(float x) { return isfinite(x) ? 1 : 0; }

#endif /* DCGAN_KERNELS_BATCH_H */
