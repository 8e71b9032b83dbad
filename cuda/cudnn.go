//go:build cuda

package cuda

// #include "cudnn_dl.h"
import "C"

import (
	"fmt"
	"sync"
)

// NOTE [legacy cudnn API]: this binding uses cuDNN's classic descriptor API (cudnnConvolution*,
// cudnnBatchNormalization*), which cuDNN 9 marks deprecated in favour of its graph API but
// still ships and supports. It is the API PyTorch's own conv and batch-norm paths have long
// used, and it covers everything DCGAN needs.
// TODO: move to the cuDNN graph API before a cuDNN release drops the legacy one; until then
// nothing is lost but fused conv+BN+activation kernels, which the graph API could offer.

// cuDNN is reached through dlopen (see cudnn_dl.h); loadCUDNN does that once per process.
var (
	cudnnOnce    sync.Once
	cudnnLoadErr error
)

func loadCUDNN() error {
	cudnnOnce.Do(func() {
		var buf [512]C.char
		if C.dl_cudnn_open(&buf[0], C.size_t(len(buf))) != 0 {
			cudnnLoadErr = fmt.Errorf("%w: %s (install cuDNN 9 where the dynamic loader "+
				"finds it, e.g. add its lib folder to LD_LIBRARY_PATH)",
				ErrCUDNNTooOld, C.GoString(&buf[0]))
			return
		}
		if v := int(C.dl_cudnnGetVersion()); v < MinCUDNN {
			cudnnLoadErr = fmt.Errorf("%w: found cuDNN %s, need %s or newer",
				ErrCUDNNTooOld, CUDNNVersionString(v), CUDNNVersionString(MinCUDNN))
		}
	})
	return cudnnLoadErr
}

// CUDNNVersion loads cuDNN if needed and returns its version (cudnnGetVersion), e.g. 91300
// for 9.13.0, and the CUDA runtime version it was built for (cudnnGetCudartVersion).
func CUDNNVersion() (version, cudart int, err error) {
	if err := loadCUDNN(); err != nil {
		return 0, 0, err
	}
	return int(C.dl_cudnnGetVersion()), int(C.dl_cudnnGetCudartVersion()), nil
}

// CUDNNHeaderVersion is the cudnn.h version this package was compiled against.
const CUDNNHeaderVersion = int(C.CUDNN_VERSION)

// DNN is a cuDNN handle (cudnnHandle_t) whose work goes to one stream. Create it after Open,
// on the context's goroutine.
type DNN struct {
	h C.cudnnHandle_t
}

// NewDNN loads cuDNN if needed, creates a handle (cudnnCreate) and binds it to s
// (cudnnSetStream; nil: the legacy default stream).
func NewDNN(s *Stream) (*DNN, error) {
	if err := loadCUDNN(); err != nil {
		return nil, err
	}
	d := &DNN{}
	if err := checkDNN("cudnnCreate", C.dl_cudnnCreate(&d.h)); err != nil {
		return nil, err
	}
	if err := d.SetStream(s); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// SetStream sends the handle's later work to s (cudnnSetStream).
func (d *DNN) SetStream(s *Stream) error {
	if d.h == nil {
		return ErrClosed
	}
	return checkDNN("cudnnSetStream", C.dl_cudnnSetStream(d.h, s.c()))
}

// Close destroys the handle (cudnnDestroy). Safe to call twice.
func (d *DNN) Close() error {
	if d.h == nil {
		return nil
	}
	h := d.h
	d.h = nil
	return checkDNN("cudnnDestroy", C.dl_cudnnDestroy(h))
}
