package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleFile() *File {
	return &File{
		Tensors: map[string]Tensor{
			"main.0.weight": F32([]int{2, 3},
				[]float32{1, -2, 3.5, 0, float32(math.Inf(1)), -0.25}),
			"main.1.num_batches_tracked": I64([]int{}, []int64{-7}),
			"step":                       F64(nil, []float64{12345.5}),
			"pixels":                     U8([]int{2, 2}, []uint8{0, 255, 7, 9}),
			"empty":                      F32([]int{0, 4}, nil),
		},
		Metadata: map[string]string{"format": "dcgan-gpu/1", "config": `{"a":1}`},
	}
}

func TestRoundTrip(t *testing.T) {
	want := sampleFile()
	b, err := want.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	hlen := binary.LittleEndian.Uint64(b)
	if hlen%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", hlen)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Metadata, want.Metadata) {
		t.Errorf("metadata = %v, want %v", got.Metadata, want.Metadata)
	}
	if len(got.Tensors) != len(want.Tensors) {
		t.Fatalf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for name, w := range want.Tensors {
		g := got.Tensors[name]
		if g.DType != w.DType || !reflect.DeepEqual(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("%s: got %+v, want %+v", name, g, w)
		}
	}
	v, err := got.Tensors["main.0.weight"].Float32s()
	if err != nil || v[2] != 3.5 || !math.IsInf(float64(v[4]), 1) {
		t.Errorf("Float32s = %v, %v", v, err)
	}
	i, err := got.Tensors["main.1.num_batches_tracked"].Int64s()
	if err != nil || len(i) != 1 || i[0] != -7 {
		t.Errorf("Int64s = %v, %v", i, err)
	}
	f, err := got.Tensors["step"].Float64s()
	if err != nil || len(f) != 1 || f[0] != 12345.5 {
		t.Errorf("Float64s = %v, %v", f, err)
	}
	u, err := got.Tensors["pixels"].Uint8s()
	if err != nil || !bytes.Equal(u, []uint8{0, 255, 7, 9}) {
		t.Errorf("Uint8s = %v, %v", u, err)
	}

	again, err := got.Bytes()
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("re-encoding differs (err %v): the encoding must be deterministic", err)
	}
}

// TestPythonLayout parses bytes laid out the way the Python package writes them: no padding
// requirement, metadata first, tensors in any header order.
func TestPythonLayout(t *testing.T) {
	header := `{"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[],` +
		`"data_offsets":[8,16]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	data := make([]byte, 16)
	binary.LittleEndian.PutUint32(data[0:], math.Float32bits(1.5))
	binary.LittleEndian.PutUint32(data[4:], math.Float32bits(-3))
	binary.LittleEndian.PutUint64(data[8:], 42)
	f, err := Parse(raw(header, data))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Tensors["a"].Float32s()
	b, _ := f.Tensors["b"].Int64s()
	if !reflect.DeepEqual(a, []float32{1.5, -3}) || !reflect.DeepEqual(b, []int64{42}) ||
		f.Metadata["format"] != "pt" {
		t.Errorf("got a=%v b=%v metadata=%v", a, b, f.Metadata)
	}
}

// raw assembles a file from a header string and a data section.
func raw(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestParseRejects(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	if _, err := Parse(raw(ok, make([]byte, 8))); err != nil {
		t.Fatalf("the valid base case fails: %v", err)
	}
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, math.MaxUint64)
	cases := []struct {
		name string
		b    []byte
		msg  string // a fragment the error must contain
	}{
		{"empty", nil, "shorter"},
		{"short length", []byte{1, 0, 0}, "shorter"},
		{"length past end", raw(ok, make([]byte, 8))[:20], "does not fit"},
		{"length overflows", append(huge, `{}`...), "does not fit"},
		{"not json", raw(`{"a":`, nil), "header"},
		{"not an object", raw(`[1,2]`, nil), "start with"},
		{"trailing garbage", raw(`{} x`, nil), "trailing"},
		{"two objects", raw(`{}{}`, nil), "trailing"},
		{"bad utf8", raw("{\"\xff\":1}", nil), "UTF-8"},
		{"entry not object", raw(`{"a":[1]}`, nil), "not an object"},
		{"missing dtype", raw(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)),
			"needs dtype"},
		{"missing offsets", raw(`{"a":{"dtype":"F32","shape":[2]}}`, make([]byte, 8)),
			"needs dtype"},
		{"unknown field", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`,
			make([]byte, 8)), "unknown field"},
		{"unknown dtype", raw(`{"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}`,
			make([]byte, 8)), "unknown dtype"},
		{"negative dim", raw(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`,
			make([]byte, 8)), "bad shape"},
		{"fractional dim", raw(`{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`,
			make([]byte, 8)), "tensor \"a\""},
		{"huge shape", raw(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],`+
			`"data_offsets":[0,8]}}`, make([]byte, 8)), "bad shape"},
		{"size mismatch", raw(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`,
			make([]byte, 8)), "needs 12 bytes"},
		{"offsets reversed", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`,
			make([]byte, 8)), "outside"},
		{"offsets past data", raw(ok, make([]byte, 4)), "outside"},
		{"three offsets", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`,
			make([]byte, 8)), "outside"},
		{"negative offset", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,8]}}`,
			make([]byte, 8)), "tensor \"a\""},
		{"gap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`,
			make([]byte, 12)), "gap or overlap"},
		{"overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+
			`"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)),
			"gap or overlap"},
		{"trailing data bytes", raw(ok, make([]byte, 9)), "cover 8 of the 9"},
		{"duplicate name", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},`+
			`"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)),
			"duplicate"},
		{"empty name", raw(`{"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
			make([]byte, 8)), "empty tensor name"},
		{"metadata not object", raw(`{"__metadata__":"x"}`, nil), "__metadata__"},
		{"metadata number", raw(`{"__metadata__":{"k":1}}`, nil), "not a string"},
		{"metadata null", raw(`{"__metadata__":null}`, nil), "__metadata__"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.b)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestParseHeaderBound(t *testing.T) {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, MaxHeader+1)
	b = append(b, make([]byte, MaxHeader+1)...)
	b[8] = '{'
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("a header past MaxHeader gives %v", err)
	}
}

func TestBytesRejects(t *testing.T) {
	one := func(name string, t Tensor) *File { return &File{Tensors: map[string]Tensor{name: t}} }
	for name, f := range map[string]*File{
		"short data":    one("a", Tensor{DType: "F32", Shape: []int{2}, Data: make([]byte, 7)}),
		"unknown dtype": one("a", Tensor{DType: "Q8", Shape: []int{1}, Data: []byte{1}}),
		"reserved name": one("__metadata__", F32([]int{1}, []float32{1})),
		"empty name":    one("", F32([]int{1}, []float32{1})),
	} {
		if _, err := f.Bytes(); err == nil {
			t.Errorf("%s: Bytes accepted it", name)
		}
	}
}

func TestAccessorsCheckDType(t *testing.T) {
	f := F32([]int{1}, []float32{1})
	if _, err := f.Int64s(); err == nil {
		t.Error("Int64s of an F32 tensor succeeded")
	}
	if _, err := I64([]int{1}, []int64{1}).Float32s(); err == nil {
		t.Error("Float32s of an I64 tensor succeeded")
	}
	bad := Tensor{DType: "F32", Shape: []int{3}, Data: make([]byte, 8)}
	if _, err := bad.Float32s(); err == nil {
		t.Error("Float32s of a tensor with too few bytes succeeded")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	if err := WriteFileAtomic(path, sampleFile()); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil || f.Metadata["format"] != "dcgan-gpu/1" {
		t.Fatalf("ReadFile: %v, %v", f, err)
	}

	// A file that cannot be encoded must leave the old one and no temporary behind.
	bad := &File{Tensors: map[string]Tensor{"a": {DType: "F32", Shape: []int{2}}}}
	if err := WriteFileAtomic(path, bad); err == nil {
		t.Fatal("wrote an invalid file")
	}
	// A rename that fails (the target is now a non-empty directory) must do the same.
	dirTarget := filepath.Join(dir, "d")
	if err := os.MkdirAll(filepath.Join(dirTarget, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(dirTarget, sampleFile()); err == nil {
		t.Fatal("replaced a directory")
	}
	now, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(now, old) {
		t.Errorf("old file changed after failed writes (err %v)", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only x.safetensors and d", names)
	}
}

func TestReadFileNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.safetensors")
	if err := os.WriteFile(path, []byte("not a safetensors file"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, ErrFormat) {
		t.Errorf("ReadFile error %v does not name %s or wrap ErrFormat", err, path)
	}
	_, err = ReadFile(filepath.Join(t.TempDir(), "missing.safetensors"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
