//go:build cuda

package gpu

import (
	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// System describes the machine's CUDA setup for `dcgan-gpu info` and the training header.
type System struct {
	Devices      []cuda.DeviceInfo
	Driver       int   // CUDA version the driver supports, e.g. 13000
	CUDAHeaders  int   // CUDA version of the cuda.h the binary was built with
	CUDNN        int   // cuDNN found at run time, e.g. 91300; 0 if none
	CUDNNCudart  int   // CUDA runtime version that cuDNN was built for
	CUDNNHeaders int   // cuDNN version of the headers the binary was built with
	CUDNNError   error // why no cuDNN was found, if so
}

// SystemInfo queries the driver and cuDNN. It needs no context; a missing cuDNN is reported
// in CUDNNError, not as the error.
func SystemInfo() (System, error) {
	s := System{CUDAHeaders: cuda.HeaderVersion, CUDNNHeaders: cuda.CUDNNHeaderVersion}
	var err error
	if s.Driver, err = cuda.DriverVersion(); err != nil {
		return s, err
	}
	if s.Devices, err = cuda.Devices(); err != nil {
		return s, err
	}
	s.CUDNN, s.CUDNNCudart, s.CUDNNError = cuda.CUDNNVersion()
	return s, nil
}
