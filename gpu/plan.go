package gpu

import "fmt"

// ArenaAlign is the alignment of every tensor in an arena, in float32 elements: 256 bytes,
// which satisfies cuDNN's and the kernels' vector loads.
const ArenaAlign = 64

// Slot is one tensor of an arena: Len float32s from element Offset.
type Slot struct {
	Name   string
	Offset int
	Len    int
}

// ArenaPlan lays tensors out in one allocation, each aligned to ArenaAlign elements. The
// padding between them is zeroed with the arena and never written, so kernels may run over
// the whole arena (Adam over a net, the finite check over its gradients).
type ArenaPlan struct {
	Slots []Slot
	Len   int // elements, padding included
}

// Add appends a tensor of n float32s and returns its index.
func (p *ArenaPlan) Add(name string, n int) int {
	if n < 0 {
		panic(fmt.Sprintf("gpu: arena tensor %s of %d elements", name, n))
	}
	off := (p.Len + ArenaAlign - 1) / ArenaAlign * ArenaAlign
	p.Slots = append(p.Slots, Slot{Name: name, Offset: off, Len: n})
	p.Len = off + n
	return len(p.Slots) - 1
}

// Bytes is the arena's size in bytes, at least one element so that an empty plan still
// allocates.
func (p *ArenaPlan) Bytes() int64 { return int64(max(p.Len, 1)) * 4 }

// Used is the number of elements that belong to tensors, padding left out.
func (p *ArenaPlan) Used() int {
	n := 0
	for _, s := range p.Slots {
		n += s.Len
	}
	return n
}
