//go:build cuda

package gpu

import (
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// BatchNorm2D is nn.BatchNorm2d in training or evaluation mode through cuDNN's spatial batch
// norm. T holds its per-channel tensors: γ, β, their gradients, the running statistics and
// the batch statistics the training forward saves for the backward.
type BatchNorm2D struct {
	T        cuda.BNTensors
	C, Side  int
	Eps      float64 // PyTorch's default 1e-5
	Momentum float64 // PyTorch's default 0.1

	dev  *Device
	what string
	byN  map[int]*cuda.BatchNorm
}

// NewBatchNorm2D builds the layer for activations [n, c, side, side] with n up to maxN.
func (d *Device) NewBatchNorm2D(what string, maxN, c, side int, t cuda.BNTensors,
	eps, momentum float64) (*BatchNorm2D, error) {
	b := &BatchNorm2D{T: t, C: c, Side: side, Eps: eps, Momentum: momentum, dev: d, what: what,
		byN: map[int]*cuda.BatchNorm{}}
	if _, err := b.get(maxN); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *BatchNorm2D) get(n int) (*cuda.BatchNorm, error) {
	if bn, ok := b.byN[n]; ok {
		return bn, nil
	}
	bn, err := cuda.NewBatchNorm(n, b.C, b.Side, b.Side)
	if err != nil {
		return nil, fmt.Errorf("gpu: %s N=%d C=%d %dx%d: %w", b.what, n, b.C, b.Side, b.Side, err)
	}
	b.byN[n] = bn
	return bn, nil
}

func (b *BatchNorm2D) fail(op string, n int, err error) error {
	return fmt.Errorf("gpu: %s %s N=%d C=%d %dx%d: %w", b.what, op, n, b.C, b.Side, b.Side, err)
}

// Forward normalises x into y. In training mode it uses the batch's statistics, saves them
// for Backward and, if update is set, moves the running statistics
// (cudnnBatchNormalizationForwardTraining); otherwise it uses the running statistics
// (cudnnBatchNormalizationForwardInference).
func (b *BatchNorm2D) Forward(x, y cuda.DevicePtr, n int, train, update bool) error {
	bn, err := b.get(n)
	if err != nil {
		return err
	}
	dnn := b.dev.DNN
	if !train {
		if err := dnn.BatchNormForwardInference(bn, b.T, x, y, b.Eps); err != nil {
			return b.fail("forward (eval)", n, err)
		}
		return nil
	}
	t := b.T
	if !update {
		t.RunMean, t.RunVar = 0, 0
	}
	if err := dnn.BatchNormForwardTraining(bn, t, x, y, b.Momentum, b.Eps); err != nil {
		return b.fail("forward", n, err)
	}
	return nil
}

// Backward computes dx from dy and the statistics of the last training Forward, and the
// gradients of γ and β into T.DScale and T.DBias, added to them when accumulate is set
// (cudnnBatchNormalizationBackward). dx must not alias dy.
func (b *BatchNorm2D) Backward(x, dy, dx cuda.DevicePtr, n int, accumulate bool) error {
	bn, err := b.get(n)
	if err != nil {
		return err
	}
	if err := b.dev.DNN.BatchNormBackward(bn, b.T, x, dy, dx, accumulate, b.Eps); err != nil {
		return b.fail("backward", n, err)
	}
	return nil
}

// Close frees the descriptors. Safe to call twice.
func (b *BatchNorm2D) Close() error {
	var first error
	for n, bn := range b.byN {
		if err := bn.Close(); err != nil && first == nil {
			first = err
		}
		delete(b.byN, n)
	}
	return first
}
