//go:build cgo

package kernels

/*
#cgo CFLAGS: -O2 -std=c11
#cgo LDFLAGS: -lm

#include "activation.h"
#include "adam.h"
#include "batch.h"
#include "bce.h"
#include "noise.h"

// host_bce_logits_mean runs bce_logits_forward_backward's arithmetic on the host in the
// kernel's order: each of the DCGAN_BCE_THREADS threads' strided sums, then block_sum2's tree.
static void host_bce_logits_mean(const float *x, int n, float target, float *loss,
                                 float *prob_mean, float *dx)
{
    double sl[DCGAN_BCE_THREADS], sp[DCGAN_BCE_THREADS];
    for (int t = 0; t < DCGAN_BCE_THREADS; t++) {
        sl[t] = 0.0;
        sp[t] = 0.0;
        dcgan_bce_logits_partial(x, n, t, target, dx, &sl[t], &sp[t]);
    }
    for (int half = DCGAN_BCE_THREADS / 2; half > 0; half /= 2) {
        for (int t = 0; t < half; t++) {
            sl[t] += sl[t + half];
            sp[t] += sp[t + half];
        }
    }
    double inv_n = 1.0 / n;
    *loss = n > 0 ? (float)(sl[0] * inv_n) : 0.0f;
    *prob_mean = n > 0 ? (float)(sp[0] * inv_n) : 0.0f;
}

// host_adam runs adam_update's arithmetic over n elements.
static void host_adam(float *p, const float *g, float *m, float *v, int n, dcgan_adam_scalars s)
{
    for (int i = 0; i < n; i++) {
        dcgan_adam(&p[i], g[i], &m[i], &v[i], s);
    }
}

// host_noise_normal runs noise_normal's arithmetic over n elements.
static void host_noise_normal(float *out, int n, uint64_t seed, uint64_t stream, float mean,
                              float std)
{
    for (int64_t b = 0; 4 * b < n; b++) {
        float z[4];
        dcgan_normal4(seed, stream, (uint64_t)b, z);
        for (int j = 0; j < 4 && 4 * b + j < n; j++) {
            out[4 * b + j] = mean + std * z[j];
        }
    }
}
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// The Host functions run the kernels' per-element math as host C, compiled from the same
// headers as the kernels. They exist for tests, here and in package gpu's: they are slow
// (one cgo call per element for the scalar ones) and not meant for training.

// HostReLUForward is relu_forward's math for one element.
func HostReLUForward(x float32) float32 { return float32(C.dcgan_relu_forward(C.float(x))) }

// HostReLUBackward is relu_backward's math for one element: y is the forward output.
func HostReLUBackward(y, dy float32) float32 {
	return float32(C.dcgan_relu_backward(C.float(y), C.float(dy)))
}

// HostLeakyReLUForward is leaky_relu_forward's math for one element.
func HostLeakyReLUForward(x, slope float32) float32 {
	return float32(C.dcgan_leaky_relu_forward(C.float(x), C.float(slope)))
}

// HostLeakyReLUBackward is leaky_relu_backward's math for one element.
func HostLeakyReLUBackward(x, dy, slope float32) float32 {
	return float32(C.dcgan_leaky_relu_backward(C.float(x), C.float(dy), C.float(slope)))
}

// HostTanhForward is tanh_forward's math for one element, with the host C library's tanhf.
func HostTanhForward(x float32) float32 { return float32(C.dcgan_tanh_forward(C.float(x))) }

// HostTanhBackward is tanh_backward's math for one element: y is the forward output.
func HostTanhBackward(y, dy float32) float32 {
	return float32(C.dcgan_tanh_backward(C.float(y), C.float(dy)))
}

// HostPhilox is Philox4x32-10 of ctr under key, as noise_normal computes it.
func HostPhilox(ctr [4]uint32, key [2]uint32) [4]uint32 {
	var c C.dcgan_u32x4
	for j := range ctr {
		c.v[j] = C.uint32_t(ctr[j])
	}
	r := C.dcgan_philox4x32_10(c, C.uint32_t(key[0]), C.uint32_t(key[1]))
	return [4]uint32{uint32(r.v[0]), uint32(r.v[1]), uint32(r.v[2]), uint32(r.v[3])}
}

// HostNormal is the i-th standard normal of a stream under seed, as noise_normal draws it.
func HostNormal(seed, stream, i uint64) float32 {
	var z [4]C.float
	C.dcgan_normal4(C.uint64_t(seed), C.uint64_t(stream), C.uint64_t(i/4), &z[0])
	return float32(z[i%4])
}

// HostNoiseNormal fills dst as noise_normal does: dst[i] = mean + std·Normal(seed, stream, i).
func HostNoiseNormal(dst []float32, seed, stream uint64, mean, std float32) {
	if len(dst) == 0 {
		return
	}
	C.host_noise_normal((*C.float)(unsafe.Pointer(&dst[0])), cInt(len(dst)), C.uint64_t(seed),
		C.uint64_t(stream), C.float(mean), C.float(std))
}

// HostBCE runs bce_logits_forward_backward on the host, in the kernel's summation order, so
// its results are the ones a GPU must give bit for bit up to its exp and log1p. It returns the
// mean loss of the logits x against target and the mean of sigmoid(x); if dx is not nil it
// receives the gradient of the mean loss.
func HostBCE(x []float32, target float32, dx []float32) (loss, probMean float32) {
	if len(x) == 0 {
		return 0, 0
	}
	var d *C.float
	if dx != nil {
		if len(dx) < len(x) {
			panic(fmt.Sprintf("kernels: HostBCE dx has %d elements, x %d", len(dx), len(x)))
		}
		d = (*C.float)(unsafe.Pointer(&dx[0]))
	}
	var l, p C.float
	C.host_bce_logits_mean((*C.float)(unsafe.Pointer(&x[0])), cInt(len(x)), C.float(target),
		&l, &p, d)
	return float32(l), float32(p)
}

// HostAdam runs adam_update on the host: one Adam step over p with gradients g and moments
// m, v (all the same length), with the scalars of AdamScalarsFor.
func HostAdam(p, g, m, v []float32, s AdamScalars) {
	n := len(p)
	if len(g) != n || len(m) != n || len(v) != n {
		panic(fmt.Sprintf("kernels: HostAdam lengths p %d g %d m %d v %d", n, len(g), len(m),
			len(v)))
	}
	if n == 0 {
		return
	}
	cs := C.dcgan_adam_scalars{
		beta1:                 C.float(s.Beta1),
		one_minus_beta1:       C.float(s.OneMinusBeta1),
		beta2:                 C.float(s.Beta2),
		one_minus_beta2:       C.float(s.OneMinusBeta2),
		neg_step_size:         C.float(s.NegStepSize),
		bias_correction2_sqrt: C.float(s.BiasCorrection2Sqrt),
		eps:                   C.float(s.Eps),
	}
	C.host_adam((*C.float)(unsafe.Pointer(&p[0])), (*C.float)(unsafe.Pointer(&g[0])),
		(*C.float)(unsafe.Pointer(&m[0])), (*C.float)(unsafe.Pointer(&v[0])), cInt(n), cs)
}

// HostNormalizeU8 is normalize_u8's math for one pixel.
func HostNormalizeU8(v uint8) float32 { return float32(C.dcgan_normalize_u8(C.uint8_t(v))) }

// HostIsFinite is check_finite's test for one element.
func HostIsFinite(x float32) bool { return C.dcgan_is_finite(C.float(x)) != 0 }

// hostBCEThreads is bce.h's block size for the reducing BCE kernels, for a test that it is
// BCEThreads.
const hostBCEThreads = C.DCGAN_BCE_THREADS

// cInt converts a length for the C side, which indexes with int as the kernels do.
func cInt(n int) C.int {
	if n > math.MaxInt32 {
		panic(fmt.Sprintf("kernels: %d elements exceed the kernels' int range", n))
	}
	return C.int(n)
}
