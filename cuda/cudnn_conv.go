//go:build cuda

package cuda

// #include "cudnn_dl.h"
import "C"

import (
	"errors"
	"fmt"
)

// Conv is one convolution shape with its cuDNN descriptors (x, w, y, convolution) and the
// algorithm chosen for each direction. DCGAN's shapes are fixed for a run, so layers build a
// Conv and choose its algorithms once, at construction.
type Conv struct {
	Geom ConvGeom
	Math MathType

	x, y C.cudnnTensorDescriptor_t
	w    C.cudnnFilterDescriptor_t
	conv C.cudnnConvolutionDescriptor_t

	algo   [3]AlgoPerf // by ConvDir
	chosen [3]bool
}

// NewConv creates the descriptors for g and checks that cuDNN computes the same output shape
// (cudnnGetConvolution2dForwardOutputDim).
func NewConv(g ConvGeom, m MathType) (*Conv, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if err := loadCUDNN(); err != nil {
		return nil, err
	}
	c := &Conv{Geom: g, Math: m}
	var err error
	if c.x, err = newTensor4d(g.N, g.C, g.H, g.W); err != nil {
		return nil, err
	}
	if c.w, err = newFilter4d(g.K, g.C, g.R, g.S); err != nil {
		c.Close()
		return nil, err
	}
	if c.conv, err = newConvDesc(g.Pad, g.Stride, m); err != nil {
		c.Close()
		return nil, err
	}
	var n, k, p, q C.int
	status := C.dl_cudnnGetConvolution2dForwardOutputDim(c.conv, c.x, c.w, &n, &k, &p, &q)
	if err := checkDNN("cudnnGetConvolution2dForwardOutputDim", status); err != nil {
		c.Close()
		return nil, err
	}
	if int(n) != g.N || int(k) != g.K || int(p) != g.P() || int(q) != g.Q() {
		c.Close()
		return nil, fmt.Errorf("cuda: conv %v: cudnn computes output %dx%dx%dx%d", g, n, k, p, q)
	}
	if c.y, err = newTensor4d(g.N, g.K, g.P(), g.Q()); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close destroys the descriptors. Safe to call twice.
func (c *Conv) Close() error {
	return errors.Join(destroyTensor(&c.x), destroyTensor(&c.y), destroyFilter(&c.w),
		destroyConvDesc(&c.conv))
}

// ConvScratch is device memory a measured search may run the convolution on: inputs of the
// convolution's shapes and an output it may overwrite, plus workspace. Find…Ex writes the
// output, so it must not alias live data (for backward-filter: real gradients).
type ConvScratch struct {
	X, W, Y   DevicePtr // x [N,C,H,W], w [K,C,R,S], y [N,K,P,Q] (dx, dw, dy by direction)
	Workspace DevicePtr
	WSBytes   int64
}

// Choose picks the algorithm for one direction under pol, by cuDNN's heuristic
// (cudnnGetConvolution*Algorithm_v7) or by timing each candidate on scratch
// (cudnnFindConvolution*AlgorithmEx), then asks for its workspace size
// (cudnnGetConvolution*WorkspaceSize). The choice is kept for the direction's calls.
func (c *Conv) Choose(d *DNN, dir ConvDir, pol AlgoPolicy, scratch ConvScratch) (AlgoPerf, error) {
	if d.h == nil || c.conv == nil {
		return AlgoPerf{}, ErrClosed
	}
	perfs, err := c.candidates(d, dir, pol.Search, scratch)
	if err != nil {
		return AlgoPerf{}, err
	}
	p, err := PickAlgo(dir, perfs, pol)
	if err != nil {
		return AlgoPerf{}, err
	}
	need, err := c.workspaceSize(d, dir, p.Algo)
	if err != nil {
		return AlgoPerf{}, err
	}
	p.Memory = max(p.Memory, need)
	c.algo[dir], c.chosen[dir] = p, true
	return p, nil
}

// Algo is the algorithm chosen for dir, and whether one was.
func (c *Conv) Algo(dir ConvDir) (AlgoPerf, bool) { return c.algo[dir], c.chosen[dir] }

// WorkspaceSize is the workspace the chosen algorithm of dir needs, in bytes.
func (c *Conv) WorkspaceSize(dir ConvDir) int64 { return c.algo[dir].Memory }

// maxAlgos bounds the candidate arrays; cuDNN 9 has at most 8 algorithms per direction.
const maxAlgos = 16

// candidates asks cuDNN for its ranked candidates of one direction.
func (c *Conv) candidates(d *DNN, dir ConvDir, search AlgoSearch,
	s ConvScratch) ([]AlgoPerf, error) {
	var got C.int
	x, w, y, ws, wsb := C.CUdeviceptr(s.X), C.CUdeviceptr(s.W), C.CUdeviceptr(s.Y),
		C.CUdeviceptr(s.Workspace), C.size_t(s.WSBytes)
	switch dir {
	case ConvFwd:
		var perf [maxAlgos]C.cudnnConvolutionFwdAlgoPerf_t
		var status C.cudnnStatus_t
		fn := "cudnnGetConvolutionForwardAlgorithm_v7"
		if search == AlgoMeasured {
			fn = "cudnnFindConvolutionForwardAlgorithmEx"
			status = C.dl_cudnnFindConvolutionForwardAlgorithmEx(d.h, c.x, x, c.w, w, c.conv,
				c.y, y, maxAlgos, &got, &perf[0], ws, wsb)
		} else {
			status = C.dl_cudnnGetConvolutionForwardAlgorithm_v7(d.h, c.x, c.w, c.conv, c.y,
				maxAlgos, &got, &perf[0])
		}
		if err := checkDNN(fn, status); err != nil {
			return nil, err
		}
		out := make([]AlgoPerf, int(got))
		for i := range out {
			p := perf[i]
			out[i] = algoPerf(int(p.algo), p.status, p.time, p.memory, p.determinism, p.mathType)
		}
		return out, nil
	case ConvBwdData:
		var perf [maxAlgos]C.cudnnConvolutionBwdDataAlgoPerf_t
		var status C.cudnnStatus_t
		fn := "cudnnGetConvolutionBackwardDataAlgorithm_v7"
		if search == AlgoMeasured {
			fn = "cudnnFindConvolutionBackwardDataAlgorithmEx"
			status = C.dl_cudnnFindConvolutionBackwardDataAlgorithmEx(d.h, c.w, w, c.y, y,
				c.conv, c.x, x, maxAlgos, &got, &perf[0], ws, wsb)
		} else {
			status = C.dl_cudnnGetConvolutionBackwardDataAlgorithm_v7(d.h, c.w, c.y, c.conv,
				c.x, maxAlgos, &got, &perf[0])
		}
		if err := checkDNN(fn, status); err != nil {
			return nil, err
		}
		out := make([]AlgoPerf, int(got))
		for i := range out {
			p := perf[i]
			out[i] = algoPerf(int(p.algo), p.status, p.time, p.memory, p.determinism, p.mathType)
		}
		return out, nil
	default:
		var perf [maxAlgos]C.cudnnConvolutionBwdFilterAlgoPerf_t
		var status C.cudnnStatus_t
		fn := "cudnnGetConvolutionBackwardFilterAlgorithm_v7"
		if search == AlgoMeasured {
			fn = "cudnnFindConvolutionBackwardFilterAlgorithmEx"
			status = C.dl_cudnnFindConvolutionBackwardFilterAlgorithmEx(d.h, c.x, x, c.y, y,
				c.conv, c.w, w, maxAlgos, &got, &perf[0], ws, wsb)
		} else {
			status = C.dl_cudnnGetConvolutionBackwardFilterAlgorithm_v7(d.h, c.x, c.y, c.conv,
				c.w, maxAlgos, &got, &perf[0])
		}
		if err := checkDNN(fn, status); err != nil {
			return nil, err
		}
		out := make([]AlgoPerf, int(got))
		for i := range out {
			p := perf[i]
			out[i] = algoPerf(int(p.algo), p.status, p.time, p.memory, p.determinism, p.mathType)
		}
		return out, nil
	}
}

// algoPerf converts the fields the three cuDNN perf structs share. The heuristic leaves time
// at -1.
func algoPerf(algo int, status C.cudnnStatus_t, ms C.float, mem C.size_t,
	det C.cudnnDeterminism_t, math C.cudnnMathType_t) AlgoPerf {
	return AlgoPerf{
		Algo:          algo,
		Status:        int(status),
		Time:          float32(ms),
		Memory:        int64(mem),
		Deterministic: det == C.CUDNN_DETERMINISTIC,
		Math:          int(math),
	}
}

// workspaceSize asks cuDNN how much workspace algo needs in dir.
func (c *Conv) workspaceSize(d *DNN, dir ConvDir, algo int) (int64, error) {
	var n C.size_t
	var status C.cudnnStatus_t
	var fn string
	switch dir {
	case ConvFwd:
		fn = "cudnnGetConvolutionForwardWorkspaceSize"
		status = C.dl_cudnnGetConvolutionForwardWorkspaceSize(d.h, c.x, c.w, c.conv, c.y,
			C.cudnnConvolutionFwdAlgo_t(algo), &n)
	case ConvBwdData:
		fn = "cudnnGetConvolutionBackwardDataWorkspaceSize"
		status = C.dl_cudnnGetConvolutionBackwardDataWorkspaceSize(d.h, c.w, c.y, c.conv, c.x,
			C.cudnnConvolutionBwdDataAlgo_t(algo), &n)
	default:
		fn = "cudnnGetConvolutionBackwardFilterWorkspaceSize"
		status = C.dl_cudnnGetConvolutionBackwardFilterWorkspaceSize(d.h, c.x, c.y, c.conv, c.w,
			C.cudnnConvolutionBwdFilterAlgo_t(algo), &n)
	}
	if err := checkDNN(fn, status); err != nil {
		return 0, err
	}
	return int64(n), nil
}

// ready checks that the handle and descriptors are live, an algorithm is chosen for dir and
// ws holds its workspace; it returns the workspace pointer and size to pass.
func (c *Conv) ready(d *DNN, dir ConvDir, ws *Buffer) (C.CUdeviceptr, C.size_t, error) {
	if d.h == nil || c.conv == nil {
		return 0, 0, ErrClosed
	}
	if !c.chosen[dir] {
		return 0, 0, fmt.Errorf("%w: conv %s: no algorithm chosen", ErrArgs, dir)
	}
	need := c.algo[dir].Memory
	if need == 0 {
		return 0, 0, nil
	}
	if ws == nil || ws.Size() < need {
		have := int64(0)
		if ws != nil {
			have = ws.Size()
		}
		return 0, 0, fmt.Errorf("%w: conv %s needs %d bytes of workspace, got %d",
			ErrArgs, dir, need, have)
	}
	return C.CUdeviceptr(ws.Ptr()), C.size_t(ws.Size()), nil
}

// ConvForward computes y = alpha·conv(x, w) + beta·y (cudnnConvolutionForward) on the
// handle's stream with the algorithm chosen for ConvFwd.
func (d *DNN) ConvForward(c *Conv, alpha float32, x, w DevicePtr, beta float32, y DevicePtr,
	ws *Buffer) error {
	wsp, wsn, err := c.ready(d, ConvFwd, ws)
	if err != nil {
		return err
	}
	return checkDNN("cudnnConvolutionForward", C.dl_cudnnConvolutionForward(d.h, C.float(alpha),
		c.x, C.CUdeviceptr(x),
		c.w, C.CUdeviceptr(w),
		c.conv, C.cudnnConvolutionFwdAlgo_t(c.algo[ConvFwd].Algo),
		wsp, wsn,
		C.float(beta), c.y, C.CUdeviceptr(y)))
}

// ConvBackwardData computes dx = alpha·conv_backward_data(w, dy) + beta·dx
// (cudnnConvolutionBackwardData). It is also ConvTranspose2d's forward: see NOTE
// [transposed convolution as backward-data].
func (d *DNN) ConvBackwardData(c *Conv, alpha float32, w, dy DevicePtr, beta float32,
	dx DevicePtr, ws *Buffer) error {
	wsp, wsn, err := c.ready(d, ConvBwdData, ws)
	if err != nil {
		return err
	}
	return checkDNN("cudnnConvolutionBackwardData", C.dl_cudnnConvolutionBackwardData(d.h,
		C.float(alpha),
		c.w, C.CUdeviceptr(w),
		c.y, C.CUdeviceptr(dy),
		c.conv, C.cudnnConvolutionBwdDataAlgo_t(c.algo[ConvBwdData].Algo),
		wsp, wsn,
		C.float(beta), c.x, C.CUdeviceptr(dx)))
}

// ConvBackwardFilter computes dw = alpha·conv_backward_filter(x, dy) + beta·dw
// (cudnnConvolutionBackwardFilter); beta 1 adds to the gradient already in dw.
func (d *DNN) ConvBackwardFilter(c *Conv, alpha float32, x, dy DevicePtr, beta float32,
	dw DevicePtr, ws *Buffer) error {
	wsp, wsn, err := c.ready(d, ConvBwdFilter, ws)
	if err != nil {
		return err
	}
	return checkDNN("cudnnConvolutionBackwardFilter", C.dl_cudnnConvolutionBackwardFilter(d.h,
		C.float(alpha),
		c.x, C.CUdeviceptr(x),
		c.y, C.CUdeviceptr(dy),
		c.conv, C.cudnnConvolutionBwdFilterAlgo_t(c.algo[ConvBwdFilter].Algo),
		wsp, wsn,
		C.float(beta), c.w, C.CUdeviceptr(dw)))
}
