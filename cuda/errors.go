package cuda

import (
	"errors"
	"fmt"
)

// Sentinels that errors.Is matches against an *Error, or that this package returns itself.
var (
	// ErrOutOfMemory: the device (or, for pinned buffers, the host) had no room.
	ErrOutOfMemory = errors.New("cuda: out of memory")
	// ErrNotSupported: the device, driver or library cannot do what was asked.
	ErrNotSupported = errors.New("cuda: not supported")
	// ErrDriverTooOld: the installed driver is older than this package needs.
	ErrDriverTooOld = errors.New("cuda: driver too old")
	// ErrCUDNNTooOld: the cuDNN found at run time is not cuDNN 9 or newer.
	ErrCUDNNTooOld = errors.New("cuda: cudnn missing or too old")
	// ErrNoDevice: no CUDA device, or no device with the requested ordinal.
	ErrNoDevice = errors.New("cuda: no such device")
	// ErrClosed: the object was used after Close.
	ErrClosed = errors.New("cuda: use after close")
	// ErrArgs: a call's arguments do not fit (kernel argument count, buffer sizes, shapes).
	ErrArgs = errors.New("cuda: bad arguments")
	// ErrNoAlgorithm: cuDNN offered no algorithm that fits the constraints.
	ErrNoAlgorithm = errors.New("cuda: no usable cudnn algorithm")
)

// Library names used in Error.Library.
const (
	LibDriver = "cuda"  // the CUDA driver API, libcuda
	LibCUDNN  = "cudnn" // cuDNN, libcudnn
)

// Error is a failed call into an NVIDIA library.
type Error struct {
	Library string // LibDriver or LibCUDNN
	Func    string // the C function as documented, e.g. "cuMemAlloc", "cudnnConvolutionForward"
	Status  int    // the raw status the call returned
	Name    string // the status's enum name, e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Message string // the library's own description; may be empty
}

// Error reads "cuda: <C function>: <status name> (<library message>)".
func (e *Error) Error() string {
	if e.Message == "" || e.Message == e.Name {
		return fmt.Sprintf("cuda: %s: %s", e.Func, e.Name)
	}
	return fmt.Sprintf("cuda: %s: %s (%s)", e.Func, e.Name, e.Message)
}

// Driver API statuses (CUresult) that map onto sentinels. The values are part of the
// driver's ABI and have not changed since CUDA 2.
const (
	cuErrorOutOfMemory  = 2
	cuErrorNoDevice     = 100
	cuErrorInvalidDev   = 101
	cuErrorNotSupported = 801
	cuErrorStubLibrary  = 34
	cuErrorInsufficient = 35 // CUDA_ERROR_INSUFFICIENT_DRIVER
	cuErrorUnsupportPTX = 222
)

// cuDNN 9 statuses are category*1000 + detail; the categories below map onto sentinels.
const (
	cudnnCatNotSupported = 3000
	cudnnAllocDevice     = 4004 // CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED
	cudnnAllocHost       = 4003 // CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED
	cudnnVersionMismatch = 1002 // CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH
)

// Is reports whether the status belongs to one of the package's sentinels.
func (e *Error) Is(target error) bool {
	switch e.Library {
	case LibDriver:
		switch target {
		case ErrOutOfMemory:
			return e.Status == cuErrorOutOfMemory
		case ErrNoDevice:
			return e.Status == cuErrorNoDevice || e.Status == cuErrorInvalidDev ||
				e.Status == cuErrorStubLibrary
		case ErrNotSupported:
			return e.Status == cuErrorNotSupported || e.Status == cuErrorUnsupportPTX
		case ErrDriverTooOld:
			return e.Status == cuErrorInsufficient || e.Status == cuErrorUnsupportPTX
		}
	case LibCUDNN:
		switch target {
		case ErrOutOfMemory:
			return e.Status == cudnnAllocDevice || e.Status == cudnnAllocHost
		case ErrNotSupported:
			return e.Status/1000*1000 == cudnnCatNotSupported
		case ErrCUDNNTooOld:
			return e.Status == cudnnVersionMismatch
		}
	}
	return false
}
