// Package gpu holds DCGAN's layers on an NVIDIA GPU, over package cuda: convolution,
// transposed convolution and batch norm through cuDNN, activations, loss, Adam, noise and
// batch normalisation through the project's own kernels (kernels.go, package kernels).
//
// # Layout
//
// Tensors are float32 NCHW in device memory, addressed by cuda.DevicePtr. A layer is built
// once for a largest batch maxN and takes the actual n ≤ maxN per call. Parameters,
// gradients and Adam moments of a net each live in one allocation, an Arena, cut into
// tensors by an ArenaPlan (the same plan for all four, so one Adam launch covers a net); the
// activations of a net live in a third arena. Convolutions share one cuDNN workspace, sized
// to the largest need of all their algorithms.
//
// # Ownership and threads
//
// A Device owns the context, the streams, the cuDNN handle, the loaded kernels and the
// workspace; layers borrow them and own only their descriptors. Everything belongs to the
// goroutine that opened the Device (package cuda's thread rule); Close frees in reverse
// order and is safe to call twice.
//
// # Errors
//
// Every failure comes back as an error naming the operation and its shapes above the cuda
// error, e.g. "gpu: D conv 2 backward-data N=64 C=128 16x16 → K=256 8x8: cuda:
// cudnnConvolutionBackwardData: CUDNN_STATUS_BAD_PARAM".
//
// The pure-Go planning (ArenaPlan) builds without the cuda tag and is tested by plain
// `go test`; everything else carries the tag.
package gpu
