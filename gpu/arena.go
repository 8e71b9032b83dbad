//go:build cuda

package gpu

import (
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// Arena is one device allocation cut into tensors by an ArenaPlan.
type Arena struct {
	Plan ArenaPlan
	buf  *cuda.Buffer
}

// NewArena allocates the plan's memory and zeroes it on s (padding included).
func NewArena(what string, plan ArenaPlan, s *cuda.Stream) (*Arena, error) {
	buf, err := cuda.Alloc(plan.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gpu: %s arena of %d floats: %w", what, plan.Len, err)
	}
	if err := cuda.Memset32(buf.Ptr(), 0, plan.Bytes()/4, s); err != nil {
		buf.Close()
		return nil, fmt.Errorf("gpu: zero %s arena: %w", what, err)
	}
	return &Arena{Plan: plan, buf: buf}, nil
}

// Ptr is the address of tensor i.
func (a *Arena) Ptr(i int) cuda.DevicePtr {
	return a.buf.Ptr().Add(int64(a.Plan.Slots[i].Offset) * 4)
}

// Base is the address of the arena's first element.
func (a *Arena) Base() cuda.DevicePtr { return a.buf.Ptr() }

// Len is the arena's length in float32s, padding included.
func (a *Arena) Len() int { return a.Plan.Len }

// Close frees the memory. Safe to call twice.
func (a *Arena) Close() error {
	if a == nil || a.buf == nil {
		return nil
	}
	return a.buf.Close()
}
