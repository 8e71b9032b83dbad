//go:build cuda

package cuda

// #include <cuda.h>
// #include "cudnn_dl.h"
import "C"

import (
	"fmt"
	"reflect"
)

// check converts a driver API status into an error naming the C function fn; nil on success.
func check(fn string, status C.CUresult) error {
	if status == C.CUDA_SUCCESS {
		return nil
	}
	return driverError(fn, int(status))
}

// driverError builds the *Error for a failed driver call.
func driverError(fn string, status int) *Error {
	e := &Error{Library: LibDriver, Func: fn, Status: status}
	var name, msg *C.char
	if C.cuGetErrorName(C.CUresult(status), &name) == C.CUDA_SUCCESS && name != nil {
		e.Name = C.GoString(name)
	} else {
		e.Name = fmt.Sprintf("CUresult(%d)", status)
	}
	if C.cuGetErrorString(C.CUresult(status), &msg) == C.CUDA_SUCCESS && msg != nil {
		e.Message = C.GoString(msg)
	}
	return e
}

// checkCU converts an error from gorgonia.org/cu, whose status type is unexported, into our
// *Error naming the C function fn. The status is read through reflection: cu's error is a
// plain int type holding the CUresult.
func checkCU(fn string, err error) error {
	if err == nil {
		return nil
	}
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Int {
		return fmt.Errorf("cuda: %s: %w", fn, err)
	}
	return driverError(fn, int(v.Int()))
}

// checkDNN converts a cuDNN status into an error naming the C function fn; nil on success.
// cuDNN 9 keeps a more detailed message for the last failure on this thread; it goes into
// Message.
func checkDNN(fn string, status C.cudnnStatus_t) error {
	if status == C.CUDNN_STATUS_SUCCESS {
		return nil
	}
	e := &Error{Library: LibCUDNN, Func: fn, Status: int(status)}
	if name := C.dl_cudnnGetErrorString(status); name != nil {
		e.Name = C.GoString(name)
	} else {
		e.Name = fmt.Sprintf("cudnnStatus_t(%d)", int(status))
	}
	var buf [512]C.char
	C.dl_cudnnGetLastErrorString(&buf[0], C.size_t(len(buf)))
	e.Message = C.GoString(&buf[0])
	return e
}
