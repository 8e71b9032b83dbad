package safetensors

import (
	"bytes"
	"testing"
)

// FuzzParse checks that Parse never panics and that what it accepts survives a round trip:
// re-encoding an accepted file and parsing it again gives the same tensors and metadata.
func FuzzParse(f *testing.F) {
	if b, err := sampleFile().Bytes(); err == nil {
		f.Add(b)
	}
	f.Add(raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(raw(`{}`, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			return
		}
		enc, err := file.Bytes()
		if err != nil {
			t.Fatalf("accepted file does not encode: %v", err)
		}
		again, err := Parse(enc)
		if err != nil {
			t.Fatalf("re-encoded file does not parse: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) || len(again.Metadata) != len(file.Metadata) {
			t.Fatalf("round trip changed the counts")
		}
		for name, x := range file.Tensors {
			y := again.Tensors[name]
			if x.DType != y.DType || !bytes.Equal(x.Data, y.Data) || len(x.Shape) != len(y.Shape) {
				t.Fatalf("round trip changed %q", name)
			}
		}
		for k, v := range file.Metadata {
			if again.Metadata[k] != v {
				t.Fatalf("round trip changed metadata %q", k)
			}
		}
	})
}
