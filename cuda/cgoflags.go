//go:build cuda

package cuda

// Where the headers and libraries are looked up. This is the only file with #cgo lines.
//
// The defaults fit a CUDA toolkit in /usr/local/cuda with cuDNN beside it or in the system
// paths (as in NVIDIA's cudnn-devel images). Elsewhere, set CGO_CFLAGS and CGO_LDFLAGS: the go
// command puts them before these, so their -I and -L win. scripts/cuda-sdk.sh writes such a
// pair for an SDK unpacked from PyPI wheels.
//
// -lcuda is the driver library, libcuda.so.1 at run time. Link-only machines resolve it
// against a stub (the toolkit's lib64/stubs, or the SDK script's stub/); the binary then needs
// the real driver to start. cuDNN is not linked: cudnn_dl.c opens libcudnn.so.9 at run time
// (hence -ldl), so only its headers are needed to build. -Wno-deprecated-declarations keeps
// the build quiet if cuDNN's deprecation warnings are switched on (CUDNN_WARN_DEPRECATED): see
// NOTE [legacy cudnn API].

// #cgo CFLAGS: -I/usr/local/cuda/include -Wno-deprecated-declarations
// #cgo LDFLAGS: -L/usr/local/cuda/lib64 -lcuda -ldl
import "C"
