//go:build cuda

package cuda

// #include <cuda.h>
import "C"

import (
	"unsafe"

	"gorgonia.org/cu"
)

// Stream is a CUDA stream: work queued on it runs in order. A nil *Stream stands for the
// legacy default stream wherever a stream is taken.
type Stream struct {
	s    cu.Stream
	open bool
}

// NewStream creates a stream that does not synchronise with the legacy default stream
// (cuStreamCreate with CU_STREAM_NON_BLOCKING).
func NewStream() (*Stream, error) {
	s, err := cu.MakeStream(cu.NonBlocking)
	if err != nil {
		return nil, checkCU("cuStreamCreate", err)
	}
	return &Stream{s: s, open: true}, nil
}

// cu is the gorgonia handle; the zero Stream (NULL) for nil.
func (s *Stream) cu() cu.Stream {
	if s == nil {
		return cu.NoStream
	}
	return s.s
}

// c is the C handle; NULL for nil.
func (s *Stream) c() C.CUstream {
	if s == nil {
		return nil
	}
	return C.CUstream(unsafe.Pointer(s.s.C()))
}

// Synchronize waits until everything queued on s has run (cuStreamSynchronize).
func (s *Stream) Synchronize() error {
	if s != nil && !s.open {
		return ErrClosed
	}
	return check("cuStreamSynchronize", C.cuStreamSynchronize(s.c()))
}

// Wait makes work queued on s after this call wait for e's last Record (cuStreamWaitEvent).
func (s *Stream) Wait(e *Event) error {
	if (s != nil && !s.open) || !e.open {
		return ErrClosed
	}
	return checkCU("cuStreamWaitEvent", s.cu().Wait(e.e, 0))
}

// Close destroys the stream (cuStreamDestroy); queued work still completes. Safe to call
// twice.
func (s *Stream) Close() error {
	if s == nil || !s.open {
		return nil
	}
	s.open = false
	return checkCU("cuStreamDestroy", s.s.Destroy())
}
