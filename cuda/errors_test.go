package cuda

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorMessage(t *testing.T) {
	cases := []struct {
		e    *Error
		want string
	}{
		{&Error{LibDriver, "cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
			"cuda: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
		{&Error{LibCUDNN, "cudnnConvolutionBackwardData", 2000, "CUDNN_STATUS_BAD_PARAM", ""},
			"cuda: cudnnConvolutionBackwardData: CUDNN_STATUS_BAD_PARAM"},
		{&Error{LibCUDNN, "cudnnCreate", 1001, "CUDNN_STATUS_NOT_INITIALIZED",
			"CUDNN_STATUS_NOT_INITIALIZED"}, "cuda: cudnnCreate: CUDNN_STATUS_NOT_INITIALIZED"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestErrorIs(t *testing.T) {
	cases := []struct {
		lib    string
		status int
		target error
		want   bool
	}{
		{LibDriver, 2, ErrOutOfMemory, true},
		{LibDriver, 1, ErrOutOfMemory, false},
		{LibDriver, 100, ErrNoDevice, true},
		{LibDriver, 34, ErrNoDevice, true}, // the link stub answers every call with 34
		{LibDriver, 35, ErrDriverTooOld, true},
		{LibDriver, 222, ErrDriverTooOld, true},
		{LibDriver, 801, ErrNotSupported, true},
		{LibCUDNN, 4004, ErrOutOfMemory, true},
		{LibCUDNN, 4000, ErrOutOfMemory, false},
		{LibCUDNN, 3002, ErrNotSupported, true},
		{LibCUDNN, 2000, ErrNotSupported, false},
		{LibCUDNN, 1002, ErrCUDNNTooOld, true},
		{LibCUDNN, 2, ErrOutOfMemory, false}, // a driver code under the wrong library
	}
	for _, c := range cases {
		var err error = fmt.Errorf("gpu: conv forward N=64: %w", &Error{Library: c.lib, Func: "f",
			Status: c.status, Name: "X"})
		if got := errors.Is(err, c.target); got != c.want {
			t.Errorf("%s status %d is %v: got %v, want %v", c.lib, c.status, c.target, got, c.want)
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Status != c.status {
			t.Errorf("errors.As lost the status %d", c.status)
		}
	}
}
