package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tensor is one named array of a file: its dtype ("F32", "F64", "I64", "U8", or another
// safetensors dtype), its shape (empty for a scalar) and its little-endian bytes.
type Tensor struct {
	DType string
	Shape []int
	Data  []byte
}

// dtypeSizes holds the byte size of every dtype the safetensors format defines.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypeSize returns the byte size of one element of dtype, or 0 for an unknown dtype.
func DTypeSize(dtype string) int { return dtypeSizes[dtype] }

// NumElements is the product of shape (1 for a scalar).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// F32 makes an F32 tensor of shape holding v. It copies v.
func F32(shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{DType: "F32", Shape: cloneShape(shape), Data: b}
}

// F64 makes an F64 tensor of shape holding v. It copies v.
func F64(shape []int, v []float64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return Tensor{DType: "F64", Shape: cloneShape(shape), Data: b}
}

// I64 makes an I64 tensor of shape holding v. It copies v.
func I64(shape []int, v []int64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return Tensor{DType: "I64", Shape: cloneShape(shape), Data: b}
}

// U8 makes a U8 tensor of shape holding v. It copies v.
func U8(shape []int, v []uint8) Tensor {
	return Tensor{DType: "U8", Shape: cloneShape(shape), Data: append([]byte(nil), v...)}
}

// Float32s decodes an F32 tensor.
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.check("F32"); err != nil {
		return nil, err
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

// Float64s decodes an F64 tensor.
func (t Tensor) Float64s() ([]float64, error) {
	if err := t.check("F64"); err != nil {
		return nil, err
	}
	v := make([]float64, len(t.Data)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

// Int64s decodes an I64 tensor.
func (t Tensor) Int64s() ([]int64, error) {
	if err := t.check("I64"); err != nil {
		return nil, err
	}
	v := make([]int64, len(t.Data)/8)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

// Uint8s returns a copy of a U8 tensor's values.
func (t Tensor) Uint8s() ([]uint8, error) {
	if err := t.check("U8"); err != nil {
		return nil, err
	}
	return append([]uint8(nil), t.Data...), nil
}

// check reports whether t has dtype want and as many bytes as its shape needs.
func (t Tensor) check(want string) error {
	if t.DType != want {
		return fmt.Errorf("safetensors: tensor is %s, want %s", t.DType, want)
	}
	if err := t.validate(); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// validate checks the dtype is known, the shape has no negative side and the byte count
// matches the shape. Its errors carry no package prefix; callers add it.
func (t Tensor) validate() error {
	size := dtypeSizes[t.DType]
	if size == 0 {
		return fmt.Errorf("unknown dtype %q", t.DType)
	}
	n, ok := byteSize(t.Shape, size)
	if !ok {
		return fmt.Errorf("bad shape %v", t.Shape)
	}
	if uint64(len(t.Data)) != n {
		return fmt.Errorf("%s tensor of shape %v needs %d bytes, has %d",
			t.DType, t.Shape, n, len(t.Data))
	}
	return nil
}

// maxBytes bounds a tensor's size, so that products cannot overflow anywhere.
const maxBytes = 1 << 50

// byteSize is the number of bytes of shape at size bytes per element; ok is false for a
// negative side or a size past maxBytes.
func byteSize(shape []int, size int) (n uint64, ok bool) {
	n = uint64(size)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > maxBytes/uint64(d) {
			return 0, false
		}
		n *= uint64(d)
	}
	return n, true
}

func cloneShape(s []int) []int {
	if s == nil {
		return []int{}
	}
	return append([]int{}, s...)
}
