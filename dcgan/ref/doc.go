// Package ref is the CPU reference of the DCGAN's operations: convolution and transposed
// convolution, batch norm, the activations, the BCE-with-logits loss, Adam, and the
// counter-based normal generator every backend draws its noise from.
//
// It serves two users. Tests check the GPU kernels and the training step against it, and
// the CPU backend trains with it. So it is written to be read first and to be fast second:
// each layer is one plain type with Forward and Backward, and the heavy work goes to one
// BLAS GEMM (OpenBLAS through cgo by default; gonum's pure Go BLAS in builds without cgo
// or with the noopenblas tag).
//
// Conventions:
//   - Tensors are float32 slices in NCHW order, contiguous, with no strides or views.
//   - Layers are built once for a largest batch MaxN and are given the actual batch n on
//     each call. All scratch is allocated at construction: Forward and Backward allocate
//     nothing, so a training step does not either.
//   - Parameters, gradients and running statistics are slices the caller owns (one arena
//     each in the backends); layers read and write them in place. Backward overwrites the
//     parameter gradients rather than adding to them.
//   - Shapes are checked and a mismatch panics: it is always a bug in the caller.
//   - Where PyTorch's vectorised CPU kernels fuse a multiply-add (Adam's moment updates,
//     tanh's backward), this package fuses it too, and Adam then matches PyTorch bit for
//     bit. Sums (GEMMs, batch norm statistics) run in another order than PyTorch's, so
//     those results agree to float32 rounding only; batch norm and the loss sum in float64.
//   - Layers are not safe for concurrent use. Internally the memory-bound loops split over
//     two goroutines and the GEMMs use OpenBLAS's threads.
//
// Transposed convolutions run as the backward-data pass of a convolution; see NOTE
// [transposed convolution as backward-data] in convt.go.
//
// Random numbers come from Philox4x32-10 keyed by (seed, stream) and indexed by position
// (Normal, FillNormal), so that the GPU, which implements the same function, draws the same
// noise, and a resumed run the same as an uninterrupted one.
//
// BUG(ref): Built without OpenBLAS (no cgo, or the noopenblas tag), Sgemm is gonum's pure-Go
// GEMM: about ten times slower, and it allocates in every call, so a training step is no
// longer free of allocations.
package ref
