//go:build cuda

package cuda

// #include "cudnn_dl.h"
import "C"

import "fmt"

// Descriptor helpers. Every descriptor is float32 NCHW; its owner (Conv, BatchNorm) destroys
// it in Close.

// newTensor4d creates a [n, c, h, w] tensor descriptor (cudnnCreateTensorDescriptor,
// cudnnSetTensor4dDescriptor).
func newTensor4d(n, c, h, w int) (C.cudnnTensorDescriptor_t, error) {
	var d C.cudnnTensorDescriptor_t
	status := C.dl_cudnnCreateTensorDescriptor(&d)
	if err := checkDNN("cudnnCreateTensorDescriptor", status); err != nil {
		return nil, err
	}
	status = C.dl_cudnnSetTensor4dDescriptor(d, C.int(n), C.int(c), C.int(h), C.int(w))
	if err := checkDNN("cudnnSetTensor4dDescriptor", status); err != nil {
		C.dl_cudnnDestroyTensorDescriptor(d)
		return nil, fmt.Errorf("tensor %dx%dx%dx%d: %w", n, c, h, w, err)
	}
	return d, nil
}

// destroyTensor destroys d if set and clears it (cudnnDestroyTensorDescriptor).
func destroyTensor(d *C.cudnnTensorDescriptor_t) error {
	if *d == nil {
		return nil
	}
	err := checkDNN("cudnnDestroyTensorDescriptor", C.dl_cudnnDestroyTensorDescriptor(*d))
	*d = nil
	return err
}

// newFilter4d creates a [k, c, h, w] filter descriptor (cudnnCreateFilterDescriptor,
// cudnnSetFilter4dDescriptor).
func newFilter4d(k, c, h, w int) (C.cudnnFilterDescriptor_t, error) {
	var d C.cudnnFilterDescriptor_t
	status := C.dl_cudnnCreateFilterDescriptor(&d)
	if err := checkDNN("cudnnCreateFilterDescriptor", status); err != nil {
		return nil, err
	}
	status = C.dl_cudnnSetFilter4dDescriptor(d, C.int(k), C.int(c), C.int(h), C.int(w))
	if err := checkDNN("cudnnSetFilter4dDescriptor", status); err != nil {
		C.dl_cudnnDestroyFilterDescriptor(d)
		return nil, fmt.Errorf("filter %dx%dx%dx%d: %w", k, c, h, w, err)
	}
	return d, nil
}

// destroyFilter destroys d if set and clears it (cudnnDestroyFilterDescriptor).
func destroyFilter(d *C.cudnnFilterDescriptor_t) error {
	if *d == nil {
		return nil
	}
	err := checkDNN("cudnnDestroyFilterDescriptor", C.dl_cudnnDestroyFilterDescriptor(*d))
	*d = nil
	return err
}

// cudnnMath maps our math type onto cuDNN's: FP32 forbids tensor cores (CUDNN_FMA_MATH);
// TF32 leaves cuDNN free to use them (CUDNN_DEFAULT_MATH), as PyTorch does when TF32 is
// allowed.
func cudnnMath(m MathType) C.cudnnMathType_t {
	if m == MathTF32 {
		return C.CUDNN_DEFAULT_MATH
	}
	return C.CUDNN_FMA_MATH
}

// newConvDesc creates a 2-d cross-correlation descriptor with float32 compute
// (cudnnCreateConvolutionDescriptor, cudnnSetConvolution2dDescriptor,
// cudnnSetConvolutionMathType).
func newConvDesc(pad, stride int, m MathType) (C.cudnnConvolutionDescriptor_t, error) {
	var d C.cudnnConvolutionDescriptor_t
	status := C.dl_cudnnCreateConvolutionDescriptor(&d)
	if err := checkDNN("cudnnCreateConvolutionDescriptor", status); err != nil {
		return nil, err
	}
	status = C.dl_cudnnSetConvolution2dDescriptor(d, C.int(pad), C.int(stride))
	if err := checkDNN("cudnnSetConvolution2dDescriptor", status); err != nil {
		C.dl_cudnnDestroyConvolutionDescriptor(d)
		return nil, err
	}
	status = C.dl_cudnnSetConvolutionMathType(d, cudnnMath(m))
	if err := checkDNN("cudnnSetConvolutionMathType", status); err != nil {
		C.dl_cudnnDestroyConvolutionDescriptor(d)
		return nil, err
	}
	return d, nil
}

// destroyConvDesc destroys d if set and clears it (cudnnDestroyConvolutionDescriptor).
func destroyConvDesc(d *C.cudnnConvolutionDescriptor_t) error {
	if *d == nil {
		return nil
	}
	err := checkDNN("cudnnDestroyConvolutionDescriptor", C.dl_cudnnDestroyConvolutionDescriptor(*d))
	*d = nil
	return err
}
