//go:build cuda

package cuda

import (
	"time"

	"gorgonia.org/cu"
)

// Event marks a point in a stream, to wait for or to time.
type Event struct {
	e    cu.Event
	open bool
}

// NewEvent creates an event (cuEventCreate); timing=false makes it cheaper for pure
// synchronisation (CU_EVENT_DISABLE_TIMING).
func NewEvent(timing bool) (*Event, error) {
	flags := cu.DefaultEvent
	if !timing {
		flags = cu.DisableTiming
	}
	e, err := cu.MakeEvent(flags)
	if err != nil {
		return nil, checkCU("cuEventCreate", err)
	}
	return &Event{e: e, open: true}, nil
}

// Record marks the current end of s's queue (cuEventRecord).
func (e *Event) Record(s *Stream) error {
	if !e.open {
		return ErrClosed
	}
	return checkCU("cuEventRecord", e.e.Record(s.cu()))
}

// Synchronize waits until the recorded work has run (cuEventSynchronize).
func (e *Event) Synchronize() error {
	if !e.open {
		return ErrClosed
	}
	return checkCU("cuEventSynchronize", e.e.Synchronize())
}

// Elapsed is the device time between two recorded, completed events (cuEventElapsedTime).
func Elapsed(start, end *Event) (time.Duration, error) {
	if !start.open || !end.open {
		return 0, ErrClosed
	}
	ms, err := start.e.Elapsed(end.e)
	if err != nil {
		return 0, checkCU("cuEventElapsedTime", err)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// Close destroys the event (cuEventDestroy). Safe to call twice.
func (e *Event) Close() error {
	if !e.open {
		return nil
	}
	e.open = false
	return checkCU("cuEventDestroy", cu.DestroyEvent(&e.e))
}
