//go:build cuda

package cuda

// #include <cuda.h>
import "C"

import (
	"fmt"
	"unsafe"

	"gorgonia.org/cu"
)

// DevicePtr is a device address (CUdeviceptr). Kernel arguments that are device pointers
// take the address of a DevicePtr variable.
type DevicePtr uint64

// Add returns the address bytes further on.
func (p DevicePtr) Add(bytes int64) DevicePtr { return p + DevicePtr(bytes) }

// Buffer is device memory from one cuMemAlloc, owned by one Go value.
type Buffer struct {
	ptr  cu.DevicePtr
	size int64
}

// Alloc allocates bytes of device memory (cuMemAlloc). The contents are undefined.
func Alloc(bytes int64) (*Buffer, error) {
	if bytes <= 0 {
		return nil, fmt.Errorf("%w: alloc of %d bytes", ErrArgs, bytes)
	}
	p, err := cu.MemAlloc(bytes)
	if err != nil {
		return nil, fmt.Errorf("cuda: alloc %d bytes: %w", bytes, checkCU("cuMemAlloc", err))
	}
	return &Buffer{ptr: p, size: bytes}, nil
}

// Ptr is the buffer's device address; 0 after Close.
func (b *Buffer) Ptr() DevicePtr { return DevicePtr(b.ptr) }

// Size is the buffer's length in bytes; 0 after Close.
func (b *Buffer) Size() int64 { return b.size }

// Close frees the memory (cuMemFree). Safe to call twice.
func (b *Buffer) Close() error {
	if b.ptr == 0 {
		return nil
	}
	p := b.ptr
	b.ptr, b.size = 0, 0
	return checkCU("cuMemFree", cu.MemFree(p))
}

// HostBuffer is page-locked (pinned) host memory from cuMemHostAlloc, which the device can
// copy from asynchronously.
type HostBuffer struct {
	p    unsafe.Pointer
	size int64
}

// AllocHost allocates bytes of pinned host memory (cuMemHostAlloc, portable to all contexts).
func AllocHost(bytes int64) (*HostBuffer, error) {
	if bytes <= 0 {
		return nil, fmt.Errorf("%w: host alloc of %d bytes", ErrArgs, bytes)
	}
	var p unsafe.Pointer
	status := C.cuMemHostAlloc(&p, C.size_t(bytes), C.CU_MEMHOSTALLOC_PORTABLE)
	if err := check("cuMemHostAlloc", status); err != nil {
		return nil, fmt.Errorf("cuda: pinned alloc %d bytes: %w", bytes, err)
	}
	return &HostBuffer{p: p, size: bytes}, nil
}

// Bytes views the whole buffer; nil after Close. The view dies with the buffer.
func (h *HostBuffer) Bytes() []byte {
	if h.p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(h.p), h.size)
}

// Float32s views the buffer as float32s; nil after Close.
func (h *HostBuffer) Float32s() []float32 {
	if h.p == nil {
		return nil
	}
	return unsafe.Slice((*float32)(h.p), h.size/4)
}

// Ptr is the buffer's host address; nil after Close.
func (h *HostBuffer) Ptr() unsafe.Pointer { return h.p }

// Size is the buffer's length in bytes.
func (h *HostBuffer) Size() int64 { return h.size }

// Close frees the memory (cuMemFreeHost). Safe to call twice.
func (h *HostBuffer) Close() error {
	if h.p == nil {
		return nil
	}
	p := h.p
	h.p, h.size = nil, 0
	return checkCU("cuMemFreeHost", cu.MemFreeHost(p))
}

// CopyHtoD queues a copy of bytes from host memory src to device memory dst on s (nil: the
// legacy default stream), cuMemcpyHtoDAsync. From pinned memory the copy is asynchronous and
// src must stay untouched until s reaches it; from ordinary Go memory the driver stages the
// data before returning, so src may be reused at once.
func CopyHtoD(dst DevicePtr, src unsafe.Pointer, bytes int64, s *Stream) error {
	err := cu.MemcpyHtoDAsync(cu.DevicePtr(dst), src, bytes, s.cu())
	return checkCU("cuMemcpyHtoDAsync", err)
}

// CopyDtoH queues a copy of bytes from device memory src to host memory dst on s,
// cuMemcpyDtoHAsync. Into pinned memory it is asynchronous: synchronize s before reading
// dst. Into ordinary Go memory the call returns when the copy is done.
func CopyDtoH(dst unsafe.Pointer, src DevicePtr, bytes int64, s *Stream) error {
	err := cu.MemcpyDtoHAsync(dst, cu.DevicePtr(src), bytes, s.cu())
	return checkCU("cuMemcpyDtoHAsync", err)
}

// CopyDtoD queues a device-to-device copy of bytes on s (cuMemcpyDtoDAsync).
func CopyDtoD(dst, src DevicePtr, bytes int64, s *Stream) error {
	err := cu.MemcpyDtoDAsync(cu.DevicePtr(dst), cu.DevicePtr(src), bytes, s.cu())
	return checkCU("cuMemcpyDtoDAsync", err)
}

// Memset32 queues setting n 32-bit words at dst to v on s (cuMemsetD32Async). Zero is
// float32 0.
func Memset32(dst DevicePtr, v uint32, n int64, s *Stream) error {
	err := cu.MemsetD32Async(cu.DevicePtr(dst), uint(v), n, s.cu())
	return checkCU("cuMemsetD32Async", err)
}

// Plain is an element type with no pointers, safe to copy to and from the device.
type Plain interface {
	~uint8 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// Upload copies a host slice to device memory at dst on s; see CopyHtoD for when src may be
// reused.
func Upload[T Plain](dst DevicePtr, src []T, s *Stream) error {
	if len(src) == 0 {
		return nil
	}
	n := int64(len(src)) * int64(unsafe.Sizeof(src[0]))
	return CopyHtoD(dst, unsafe.Pointer(&src[0]), n, s)
}

// Download copies device memory at src into a host slice on s; see CopyDtoH for when dst
// holds the data.
func Download[T Plain](dst []T, src DevicePtr, s *Stream) error {
	if len(dst) == 0 {
		return nil
	}
	n := int64(len(dst)) * int64(unsafe.Sizeof(dst[0]))
	return CopyDtoH(unsafe.Pointer(&dst[0]), src, n, s)
}
