//go:build cuda

package gpu

import (
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// convShapes keeps one cuda.Conv per batch size: cuDNN descriptors carry N. The largest
// batch is built with the layer; another size (an epoch's last, short batch; Generate's
// chunks) gets its descriptors and algorithms on first use.
type convShapes struct {
	dev  *Device
	what string
	geom func(n int) cuda.ConvGeom
	byN  map[int]*cuda.Conv
}

func (s *convShapes) get(n int) (*cuda.Conv, error) {
	if c, ok := s.byN[n]; ok {
		return c, nil
	}
	if n <= 0 {
		return nil, fmt.Errorf("gpu: %s: batch of %d: %w", s.what, n, cuda.ErrArgs)
	}
	c, err := s.dev.newConv(s.geom(n), s.what)
	if err != nil {
		return nil, err
	}
	s.byN[n] = c
	return c, nil
}

func (s *convShapes) close() error {
	var first error
	for n, c := range s.byN {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
		delete(s.byN, n)
	}
	return first
}

// fail wraps a failed call with the layer, the direction and the shapes.
func (s *convShapes) fail(dir cuda.ConvDir, c *cuda.Conv, err error) error {
	return fmt.Errorf("gpu: %s %s %v: %w", s.what, dir, c.Geom, err)
}

// Conv2D is nn.Conv2d without bias: y = cross-correlation of x with W, through cuDNN.
// W and its gradient GW are [OutC, InC, K, K] in an arena.
type Conv2D struct {
	W, GW cuda.DevicePtr
	s     convShapes
}

// NewConv2D builds the layer for batches of up to maxN [inC, in, in] inputs, choosing its
// algorithms now. what names it in errors, e.g. "D conv 2".
func (d *Device) NewConv2D(what string, maxN, inC, outC, in, k, stride, pad int,
	w, gw cuda.DevicePtr) (*Conv2D, error) {
	geom := func(n int) cuda.ConvGeom {
		return cuda.ConvGeom{N: n, C: inC, H: in, W: in, K: outC, R: k, S: k, Pad: pad,
			Stride: stride}
	}
	l := &Conv2D{W: w, GW: gw, s: convShapes{dev: d, what: what, geom: geom,
		byN: map[int]*cuda.Conv{}}}
	if _, err := l.s.get(maxN); err != nil {
		return nil, err
	}
	return l, nil
}

// Forward computes y = conv(x, W) for a batch of n (cudnnConvolutionForward).
func (l *Conv2D) Forward(x, y cuda.DevicePtr, n int) error {
	c, err := l.s.get(n)
	if err != nil {
		return err
	}
	d := l.s.dev
	if err := d.DNN.ConvForward(c, 1, x, l.W, 0, y, d.ws); err != nil {
		return l.s.fail(cuda.ConvFwd, c, err)
	}
	return nil
}

// Backward computes, from dy and the forward input x, the weight gradient into gw
// (cudnnConvolutionBackwardFilter; added to gw's contents when accumulate is set, skipped
// when gw is 0) and the input gradient into dx (cudnnConvolutionBackwardData; skipped when
// dx is 0).
func (l *Conv2D) Backward(x, dy, dx, gw cuda.DevicePtr, n int, accumulate bool) error {
	c, err := l.s.get(n)
	if err != nil {
		return err
	}
	d := l.s.dev
	if gw != 0 {
		if err := d.DNN.ConvBackwardFilter(c, 1, x, dy, beta(accumulate), gw, d.ws); err != nil {
			return l.s.fail(cuda.ConvBwdFilter, c, err)
		}
	}
	if dx != 0 {
		if err := d.DNN.ConvBackwardData(c, 1, l.W, dy, 0, dx, d.ws); err != nil {
			return l.s.fail(cuda.ConvBwdData, c, err)
		}
	}
	return nil
}

// Close frees the descriptors. Safe to call twice.
func (l *Conv2D) Close() error { return l.s.close() }

// ConvTranspose2D is nn.ConvTranspose2d without bias, run as the backward-data of the
// convolution it transposes: see NOTE [transposed convolution as backward-data] (and
// cuda.TransposedConvGeom for cuDNN's operands). W and GW are [InC, OutC, K, K], PyTorch's
// layout, which is that convolution's filter.
type ConvTranspose2D struct {
	W, GW cuda.DevicePtr
	s     convShapes
}

// NewConvTranspose2D builds the layer for batches of up to maxN [inC, in, in] inputs; the
// output side is (in-1)·stride − 2·pad + k.
func (d *Device) NewConvTranspose2D(what string, maxN, inC, outC, in, k, stride, pad int,
	w, gw cuda.DevicePtr) (*ConvTranspose2D, error) {
	if _, err := cuda.TransposedConvGeom(maxN, inC, outC, in, in, k, stride, pad); err != nil {
		return nil, fmt.Errorf("gpu: %s: %w", what, err)
	}
	geom := func(n int) cuda.ConvGeom {
		g, _ := cuda.TransposedConvGeom(n, inC, outC, in, in, k, stride, pad)
		return g
	}
	l := &ConvTranspose2D{W: w, GW: gw, s: convShapes{dev: d, what: what, geom: geom,
		byN: map[int]*cuda.Conv{}}}
	if _, err := l.s.get(maxN); err != nil {
		return nil, err
	}
	return l, nil
}

// Forward computes the transposed convolution of x into y for a batch of n: cuDNN's
// backward-data with x as the gradient of the convolution's output
// (cudnnConvolutionBackwardData).
func (l *ConvTranspose2D) Forward(x, y cuda.DevicePtr, n int) error {
	c, err := l.s.get(n)
	if err != nil {
		return err
	}
	d := l.s.dev
	if err := d.DNN.ConvBackwardData(c, 1, l.W, x, 0, y, d.ws); err != nil {
		return l.s.fail(cuda.ConvBwdData, c, err)
	}
	return nil
}

// Backward computes, from dy (the gradient of the output) and the forward input x, the
// weight gradient into gw (cudnnConvolutionBackwardFilter with dy as the convolution's input
// and x as its output gradient; added when accumulate is set, skipped when gw is 0) and the
// input gradient into dx (cudnnConvolutionForward of dy; skipped when dx is 0).
func (l *ConvTranspose2D) Backward(x, dy, dx, gw cuda.DevicePtr, n int, accumulate bool) error {
	c, err := l.s.get(n)
	if err != nil {
		return err
	}
	d := l.s.dev
	if gw != 0 {
		if err := d.DNN.ConvBackwardFilter(c, 1, dy, x, beta(accumulate), gw, d.ws); err != nil {
			return l.s.fail(cuda.ConvBwdFilter, c, err)
		}
	}
	if dx != 0 {
		if err := d.DNN.ConvForward(c, 1, dy, l.W, 0, dx, d.ws); err != nil {
			return l.s.fail(cuda.ConvFwd, c, err)
		}
	}
	return nil
}

// Close frees the descriptors. Safe to call twice.
func (l *ConvTranspose2D) Close() error { return l.s.close() }

// beta is cuDNN's blend factor for an output: 1 adds to it, 0 overwrites it.
func beta(accumulate bool) float32 {
	if accumulate {
		return 1
	}
	return 0
}
