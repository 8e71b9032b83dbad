package cuda

import "fmt"

// Versions this package needs at run time.
const (
	// MinDriver is the oldest driver API version accepted by Open: CUDA 12.4 added
	// cuFuncGetParamInfo, which Launch uses to copy each kernel argument at its exact size.
	// Kernels built by a newer toolkit may need a newer driver still; LoadModule reports that.
	MinDriver = 12040
	// MinCUDNN is the oldest cuDNN accepted by NewDNN: the 9.x API this binding is written for.
	MinCUDNN = 90000
)

// CUDAVersionString formats a CUDA version number as the driver reports it: 12040 → "12.4".
func CUDAVersionString(v int) string {
	if v <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}

// CUDNNVersionString formats a cuDNN 9 version number: 91300 → "9.13.0". cuDNN 9 counts
// major*10000 + minor*100 + patch (cuDNN 8 used major*1000 + minor*100 + patch).
func CUDNNVersionString(v int) string {
	switch {
	case v <= 0:
		return "unknown"
	case v < 10000: // cuDNN 8 and older
		return fmt.Sprintf("%d.%d.%d", v/1000, v%1000/100, v%100)
	}
	return fmt.Sprintf("%d.%d.%d", v/10000, v%10000/100, v%100)
}
