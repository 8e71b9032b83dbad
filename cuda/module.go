//go:build cuda

package cuda

// #include <stdlib.h>
// #include <cuda.h>
import "C"

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Module is a loaded fatbin, cubin or PTX image (cuModuleLoadData).
type Module struct {
	m     C.CUmodule
	funcs []*Function
}

// LoadModule loads an image (a fatbin as kernels/build.sh writes it, a cubin or NUL-ended
// PTX) into the current context. The driver picks the image's native code for the device or
// compiles its PTX; a driver older than the toolkit that built the image fails here.
func LoadModule(image []byte) (*Module, error) {
	if len(image) == 0 {
		return nil, fmt.Errorf("%w: empty module image", ErrArgs)
	}
	img := C.CBytes(image)
	defer C.free(img)

	var m C.CUmodule
	if err := check("cuModuleLoadData", C.cuModuleLoadData(&m, img)); err != nil {
		return nil, err
	}
	return &Module{m: m}, nil
}

// Function looks up an extern "C" kernel by name (cuModuleGetFunction) and reads its
// parameter layout (cuFuncGetParamInfo), so that Launch can check and copy its arguments.
func (m *Module) Function(name string) (*Function, error) {
	if m.m == nil {
		return nil, ErrClosed
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))

	f := &Function{name: name}
	if err := check("cuModuleGetFunction", C.cuModuleGetFunction(&f.f, m.m, cname)); err != nil {
		return nil, fmt.Errorf("cuda: kernel %s: %w", name, err)
	}
	if err := f.readParams(); err != nil {
		return nil, fmt.Errorf("cuda: kernel %s: %w", name, err)
	}
	m.funcs = append(m.funcs, f)
	return f, nil
}

// Close unloads the module (cuModuleUnload); its Functions become unusable. Safe to call
// twice.
func (m *Module) Close() error {
	if m.m == nil {
		return nil
	}
	for _, f := range m.funcs {
		f.free()
	}
	m.funcs = nil
	mod := m.m
	m.m = nil
	return check("cuModuleUnload", C.cuModuleUnload(mod))
}

// maxParams bounds the parameter probe; our kernels take a handful.
const maxParams = 64

// Function is one kernel of a Module. It keeps a C buffer for its arguments, so launching
// allocates nothing; like everything else it belongs to the context's goroutine.
type Function struct {
	name  string
	f     C.CUfunction
	sizes []uintptr      // bytes of each parameter
	buf   unsafe.Pointer // C memory: the parameters laid out as the kernel expects
	ptrs  unsafe.Pointer // C memory: void*[len(sizes)], ptrs[i] = buf + offset[i]
}

// readParams asks the driver for each parameter's offset and size until it reports that the
// index is past the last one.
func (f *Function) readParams() error {
	var offs []uintptr
	for i := 0; i < maxParams; i++ {
		var off, size C.size_t
		status := C.cuFuncGetParamInfo(f.f, C.size_t(i), &off, &size)
		if status == C.CUDA_ERROR_INVALID_VALUE {
			break
		}
		if err := check("cuFuncGetParamInfo", status); err != nil {
			return err
		}
		offs = append(offs, uintptr(off))
		f.sizes = append(f.sizes, uintptr(size))
	}
	n := len(f.sizes)
	if n == 0 {
		return nil
	}
	total := offs[n-1] + f.sizes[n-1]
	f.buf = C.calloc(C.size_t(total), 1)
	f.ptrs = C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(uintptr(0))))
	if f.buf == nil || f.ptrs == nil {
		f.free()
		return fmt.Errorf("%w: host memory for kernel arguments", ErrOutOfMemory)
	}
	ptrs := unsafe.Slice((*unsafe.Pointer)(f.ptrs), n)
	for i, o := range offs {
		ptrs[i] = unsafe.Add(f.buf, o)
	}
	return nil
}

func (f *Function) free() {
	C.free(f.buf)
	C.free(f.ptrs)
	f.buf, f.ptrs, f.f = nil, nil, nil
}

// Name is the kernel's name.
func (f *Function) Name() string { return f.name }

// NumArgs is the number of parameters the kernel takes.
func (f *Function) NumArgs() int { return len(f.sizes) }

// syncAfterLaunch: see SetSyncAfterLaunch.
var syncAfterLaunch atomic.Bool

// SetSyncAfterLaunch turns on (or off) a debug mode in which every Launch waits for its
// stream and reports a fault at the kernel that caused it, instead of at some later call.
// Tests turn it on. It cannot be used while a stream is being captured.
func SetSyncAfterLaunch(on bool) { syncAfterLaunch.Store(on) }

// Launch queues the kernel on s (nil: the legacy default stream) with a grid of grid blocks
// of block threads and sharedMem bytes of dynamic shared memory (cuLaunchKernel). Each arg
// points to one argument's value, exactly as the kernel declares it: a DevicePtr for a
// pointer, an int32 for an int, a float32 for a float. The values are copied before Launch
// returns. A wrong argument count is an error; a wrong type is not caught.
func (f *Function) Launch(grid, block [3]uint32, sharedMem uint32, s *Stream,
	args ...unsafe.Pointer) error {
	if f.f == nil {
		return ErrClosed
	}
	if len(args) != len(f.sizes) {
		return fmt.Errorf("%w: kernel %s takes %d arguments, got %d",
			ErrArgs, f.name, len(f.sizes), len(args))
	}
	var ptrs []unsafe.Pointer
	if len(args) > 0 {
		ptrs = unsafe.Slice((*unsafe.Pointer)(f.ptrs), len(args))
	}
	for i, a := range args {
		copy(unsafe.Slice((*byte)(ptrs[i]), f.sizes[i]), unsafe.Slice((*byte)(a), f.sizes[i]))
	}

	status := C.cuLaunchKernel(f.f,
		C.uint(grid[0]), C.uint(grid[1]), C.uint(grid[2]),
		C.uint(block[0]), C.uint(block[1]), C.uint(block[2]),
		C.uint(sharedMem), s.c(),
		(*unsafe.Pointer)(f.ptrs), nil)
	if err := check("cuLaunchKernel", status); err != nil {
		return fmt.Errorf("cuda: kernel %s grid %v block %v: %w", f.name, grid, block, err)
	}
	if syncAfterLaunch.Load() {
		if err := check("cuStreamSynchronize", C.cuStreamSynchronize(s.c())); err != nil {
			return fmt.Errorf("cuda: kernel %s (debug sync): %w", f.name, err)
		}
	}
	return nil
}
