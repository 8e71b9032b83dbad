//go:build cuda

package cuda

// #include "cudnn_dl.h"
import "C"

import (
	"errors"
	"fmt"
)

// BatchNorm holds the descriptors of one spatial batch norm (CUDNN_BATCHNORM_SPATIAL): the
// activations [N, C, H, W] and the per-channel tensors [1, C, 1, 1] cuDNN derives from them.
type BatchNorm struct {
	N, C, H, W int
	x, bn      C.cudnnTensorDescriptor_t
}

// BNTensors are the per-channel [C] float32 tensors of one batch-norm layer.
type BNTensors struct {
	Scale, Bias          DevicePtr // γ and β
	RunMean, RunVar      DevicePtr // running statistics
	SaveMean, SaveInvStd DevicePtr // the batch's mean and 1/sqrt(var+eps), forward → backward
	DScale, DBias        DevicePtr // gradients of γ and β
}

// NewBatchNorm creates the descriptors for activations [n, c, h, w]
// (cudnnDeriveBNTensorDescriptor for the per-channel ones).
func NewBatchNorm(n, c, h, w int) (*BatchNorm, error) {
	if n <= 0 || c <= 0 || h <= 0 || w <= 0 {
		return nil, fmt.Errorf("%w: batch norm over %dx%dx%dx%d", ErrArgs, n, c, h, w)
	}
	if err := loadCUDNN(); err != nil {
		return nil, err
	}
	b := &BatchNorm{N: n, C: c, H: h, W: w}
	var err error
	if b.x, err = newTensor4d(n, c, h, w); err != nil {
		return nil, err
	}
	if err := checkDNN("cudnnCreateTensorDescriptor",
		C.dl_cudnnCreateTensorDescriptor(&b.bn)); err != nil {
		b.Close()
		return nil, err
	}
	if err := checkDNN("cudnnDeriveBNTensorDescriptor",
		C.dl_cudnnDeriveBNTensorDescriptor(b.bn, b.x)); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close destroys the descriptors. Safe to call twice.
func (b *BatchNorm) Close() error {
	return errors.Join(destroyTensor(&b.x), destroyTensor(&b.bn))
}

// BatchNormForwardTraining normalises x into y with the batch's own statistics
// (cudnnBatchNormalizationForwardTraining), saving them in t.SaveMean and t.SaveInvStd for
// the backward pass. With t.RunMean and t.RunVar set it also moves the running statistics
// by momentum (PyTorch's meaning: running = (1-momentum)·running + momentum·batch, the
// variance unbiased); with both 0 it leaves them alone, as sampling with batch statistics
// does.
func (d *DNN) BatchNormForwardTraining(b *BatchNorm, t BNTensors, x, y DevicePtr,
	momentum, eps float64) error {
	if d.h == nil || b.x == nil {
		return ErrClosed
	}
	if (t.RunMean == 0) != (t.RunVar == 0) {
		return fmt.Errorf("%w: batch norm: running mean and variance must both be set or unset",
			ErrArgs)
	}
	return checkDNN("cudnnBatchNormalizationForwardTraining",
		C.dl_cudnnBatchNormalizationForwardTraining(d.h,
			b.x, C.CUdeviceptr(x), C.CUdeviceptr(y),
			b.bn, C.CUdeviceptr(t.Scale), C.CUdeviceptr(t.Bias),
			C.double(momentum), C.CUdeviceptr(t.RunMean), C.CUdeviceptr(t.RunVar),
			C.double(eps), C.CUdeviceptr(t.SaveMean), C.CUdeviceptr(t.SaveInvStd)))
}

// BatchNormForwardInference normalises x into y with the running statistics
// (cudnnBatchNormalizationForwardInference).
func (d *DNN) BatchNormForwardInference(b *BatchNorm, t BNTensors, x, y DevicePtr,
	eps float64) error {
	if d.h == nil || b.x == nil {
		return ErrClosed
	}
	return checkDNN("cudnnBatchNormalizationForwardInference",
		C.dl_cudnnBatchNormalizationForwardInference(d.h,
			b.x, C.CUdeviceptr(x), C.CUdeviceptr(y),
			b.bn, C.CUdeviceptr(t.Scale), C.CUdeviceptr(t.Bias),
			C.CUdeviceptr(t.RunMean), C.CUdeviceptr(t.RunVar), C.double(eps)))
}

// BatchNormBackward computes dx from dy and the statistics the training forward saved
// (cudnnBatchNormalizationBackward), and the gradients of γ and β into t.DScale and t.DBias:
// overwritten, or added to what is there when accumulate is set (D sees a real and a fake
// batch per step, and their gradients add up).
func (d *DNN) BatchNormBackward(b *BatchNorm, t BNTensors, x, dy, dx DevicePtr,
	accumulate bool, eps float64) error {
	if d.h == nil || b.x == nil {
		return ErrClosed
	}
	var betaParam C.float
	if accumulate {
		betaParam = 1
	}
	return checkDNN("cudnnBatchNormalizationBackward",
		C.dl_cudnnBatchNormalizationBackward(d.h,
			b.x, C.CUdeviceptr(x), C.CUdeviceptr(dy), C.CUdeviceptr(dx),
			b.bn, C.CUdeviceptr(t.Scale),
			betaParam, C.CUdeviceptr(t.DScale), C.CUdeviceptr(t.DBias),
			C.double(eps), C.CUdeviceptr(t.SaveMean), C.CUdeviceptr(t.SaveInvStd)))
}
