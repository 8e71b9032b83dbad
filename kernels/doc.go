// Package kernels holds the project's own CUDA kernels and the Go side of their math.
//
// The kernels live in the .cu files of this folder, one per op family, and build.sh compiles
// them (through the one translation unit dcgan.cu) into one fatbin, dcgan.fatbin: native code
// for sm_75, sm_80, sm_86, sm_89 and sm_90 and PTX for compute_90. The cuda build embeds it
// (Fatbin, build tag cuda) and package gpu loads and launches it.
//
// The math of each element lives in the headers (activation.h, bce.h, adam.h, noise.h,
// batch.h) as functions that compile both for the device and as host C. This package wraps
// the host C build of those functions through cgo (HostLeakyReLUForward, HostPhilox,
// HostNormal, HostAdam, HostBCE, ...), and its tests check them against the CPU reference,
// dcgan/ref, on any machine: what the kernels compute is tested without a GPU, and the GPU
// tests then only have to show that the kernels run that math.
//
// The kernels, by family:
//
//	activation.cu  relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward,
//	               tanh_forward, tanh_backward (in place allowed)
//	bce.cu         bce_logits_forward, bce_logits_forward_backward (loss and mean
//	               probability reduced on the device, deterministically), bce_logits_backward
//	adam.cu        adam_update (a whole net's arena in one launch)
//	noise.cu       noise_normal (Philox4x32-10 and Box–Muller, as ref.Normal)
//	batch.cu       normalize_u8, check_finite
//
// NOTE [floating-point contraction]: nvcc runs with --fmad=false and no --use_fast_math, and
// hd.h turns contraction off in the host C compiler, so host and device round every operation
// alike, fusing a multiply-add only where the source calls fmaf (as PyTorch's kernels fuse
// it). What is left to differ is the math libraries: tanhf, and the double exp, log1p, log,
// sin and cos of the loss and the noise. The tests state each tolerance and where it comes
// from.
//
// The fatbin is a build output (kernels/build.sh), not in git; the cuda build fails without
// it.
package kernels
