package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"unicode/utf8"

	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// File is a whole safetensors file: named tensors and string metadata.
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

// ErrFormat marks every way a byte string can fail to be a valid safetensors file.
var ErrFormat = errors.New("safetensors: invalid file")

// MaxHeader bounds the JSON header's length (the Python implementation uses the same bound),
// so that a corrupt length cannot make Parse allocate without limit.
const MaxHeader = 100 << 20

const metadataKey = "__metadata__"

// entry is one tensor's line in the JSON header.
type entry struct {
	DType   *string   `json:"dtype"`
	Shape   *[]int    `json:"shape"`
	Offsets *[]uint64 `json:"data_offsets"`
}

// span is a tensor's byte range in the data section, for the contiguity check.
type span struct {
	name       string
	begin, end uint64
}

// Parse decodes a safetensors file. The tensors' Data alias b. It rejects, with an error
// wrapping ErrFormat: a header length past the input or past MaxHeader, a header that is not
// one JSON object, duplicate names, unknown fields or dtypes, shapes whose byte size differs
// from their offsets, and data sections with gaps, overlaps or bytes no tensor owns.
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the 8-byte header length",
			ErrFormat, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeader || n > uint64(len(b)-8) {
		return nil, fmt.Errorf("%w: header length %d does not fit in %d bytes",
			ErrFormat, n, len(b))
	}
	header, data := b[8:8+n], b[8+n:]
	if len(header) == 0 || header[0] != '{' {
		return nil, fmt.Errorf("%w: header does not start with '{'", ErrFormat)
	}
	if !utf8.Valid(header) {
		return nil, fmt.Errorf("%w: header is not valid UTF-8", ErrFormat)
	}

	raw, err := splitObject(header)
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	f := &File{Tensors: make(map[string]Tensor, len(raw))}
	var spans []span
	for name, msg := range raw {
		if name == "" {
			return nil, fmt.Errorf("%w: empty tensor name", ErrFormat)
		}
		if name == metadataKey {
			if f.Metadata, err = parseMetadata(msg); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrFormat, err)
			}
			continue
		}
		t, s, err := parseEntry(name, msg, data)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		f.Tensors[name] = t
		spans = append(spans, s)
	}
	if err := checkContiguous(spans, uint64(len(data))); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return f, nil
}

// splitObject decodes one JSON object into its members, refusing duplicate keys and
// anything but whitespace after the object.
func splitObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	m := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %v", key, err)
		}
		m[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

func parseMetadata(msg json.RawMessage) (map[string]string, error) {
	if len(msg) == 0 || msg[0] != '{' {
		return nil, errors.New("__metadata__ is not an object")
	}
	raw, err := splitObject(msg)
	if err != nil {
		return nil, fmt.Errorf("__metadata__: %v", err)
	}
	md := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return nil, fmt.Errorf("__metadata__: value of %q is not a string", k)
		}
		md[k] = s
	}
	return md, nil
}

// parseEntry decodes one tensor's header entry and checks it against the data section.
func parseEntry(name string, msg json.RawMessage, data []byte) (Tensor, span, error) {
	var e entry
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	if len(msg) == 0 || msg[0] != '{' {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: entry is not an object", name)
	}
	if err := dec.Decode(&e); err != nil {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: %v", name, err)
	}
	if e.DType == nil || e.Shape == nil || e.Offsets == nil {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: needs dtype, shape and data_offsets", name)
	}
	size := dtypeSizes[*e.DType]
	if size == 0 {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: unknown dtype %q", name, *e.DType)
	}
	nbytes, ok := byteSize(*e.Shape, size)
	if !ok {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: bad shape %v", name, *e.Shape)
	}
	off := *e.Offsets
	if len(off) != 2 || off[0] > off[1] || off[1] > uint64(len(data)) {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: data_offsets %v outside the %d data bytes",
			name, off, len(data))
	}
	if off[1]-off[0] != nbytes {
		return Tensor{}, span{}, fmt.Errorf("tensor %q: %s %v needs %d bytes, offsets span %d",
			name, *e.DType, *e.Shape, nbytes, off[1]-off[0])
	}
	t := Tensor{DType: *e.DType, Shape: cloneShape(*e.Shape), Data: data[off[0]:off[1]:off[1]]}
	return t, span{name, off[0], off[1]}, nil
}

// checkContiguous requires the spans to tile [0, total) exactly.
func checkContiguous(spans []span, total uint64) error {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var at uint64
	for _, s := range spans {
		if s.begin != at {
			return fmt.Errorf("tensor %q starts at byte %d, want %d (gap or overlap)",
				s.name, s.begin, at)
		}
		at = s.end
	}
	if at != total {
		return fmt.Errorf("tensors cover %d of the %d data bytes", at, total)
	}
	return nil
}

// ReadFile reads and parses the safetensors file at path. Errors name the path.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Bytes encodes f: the header lists the tensors sorted by name, their data lie back to back
// in that order, and the header is padded with spaces to a multiple of 8 bytes.
func (f *File) Bytes() ([]byte, error) {
	names := make([]string, 0, len(f.Tensors))
	for name, t := range f.Tensors {
		if name == "" || name == metadataKey {
			return nil, fmt.Errorf("safetensors: bad tensor name %q", name)
		}
		if err := t.validate(); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	header := make(map[string]any, len(names)+1)
	var at uint64
	for _, name := range names {
		t := f.Tensors[name]
		end := at + uint64(len(t.Data))
		header[name] = map[string]any{
			"dtype": t.DType, "shape": cloneShape(t.Shape), "data_offsets": []uint64{at, end},
		}
		at = end
	}
	if len(f.Metadata) > 0 {
		header[metadataKey] = f.Metadata
	}
	h, err := json.Marshal(header) // encoding/json sorts map keys
	if err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}

	out := make([]byte, 8, 8+len(h)+int(at))
	binary.LittleEndian.PutUint64(out, uint64(len(h)))
	out = append(out, h...)
	for _, name := range names {
		out = append(out, f.Tensors[name].Data...)
	}
	return out, nil
}

// WriteFileAtomic encodes f and replaces path with it atomically: a temporary file in the
// same directory is written, synced and renamed over path, then the directory is synced. On
// any failure the temporary file is removed and an existing file at path is left intact.
func WriteFileAtomic(path string, f *File) error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}
