package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// IDX magics for unsigned-byte data: 0x08 is the type, the low byte the number of dims.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801

	maxIDXBytes = 1 << 34 // 16 GiB: a larger header is taken for a corrupt one
)

// idxSource is images (and optionally labels) from IDX files, held in memory.
type idxSource struct {
	name           string
	n, rows, cols  int
	images         []uint8 // n × rows × cols
	labels         []uint8 // n, or nil
	size, channels int
	rs             *resizer
}

func (s *idxSource) Name() string    { return s.name }
func (s *idxSource) Len() int        { return s.n }
func (s *idxSource) Channels() int   { return s.channels }
func (s *idxSource) Size() int       { return s.size }
func (s *idxSource) Labels() []uint8 { return s.labels }

func (s *idxSource) Read(i int, dst []uint8) error {
	if err := checkDst(s, i, dst); err != nil {
		return err
	}
	px := s.rows * s.cols
	s.rs.plane(s.images[i*px:(i+1)*px], dst[:s.size*s.size])
	for c := 1; c < s.channels; c++ {
		copy(dst[c*s.size*s.size:], dst[:s.size*s.size])
	}
	return nil
}

// newIDXSource validates that images and labels agree and builds the source.
func newIDXSource(name string, img, lab idxData, size, channels int) (*idxSource, error) {
	if lab.data != nil && lab.dims[0] != img.dims[0] {
		return nil, formatErr(lab.path, fmt.Sprintf("%d labels for %d images in %s",
			lab.dims[0], img.dims[0], img.path), nil)
	}
	n, rows, cols := img.dims[0], img.dims[1], img.dims[2]
	return &idxSource{
		name: fmt.Sprintf("%s (%d images of %d×%d)", name, n, cols, rows),
		n:    n, rows: rows, cols: cols,
		images: img.data, labels: lab.data,
		size: size, channels: channels,
		rs: newResizer(cols, rows, size),
	}, nil
}

// openIDX opens IDX files: path is a directory holding the standard MNIST file names
// (raw or .gz), or one images file. The labels file is optional: in a directory it has
// the standard name; beside an images file it is the name with "images-idx3" replaced
// by "labels-idx1".
func openIDX(path string, test bool, size, channels int) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	imgPath, labPath := path, ""
	if st.IsDir() {
		prefix := "train"
		if test {
			prefix = "t10k"
		}
		imgPath = findIDX(path, prefix+"-images-idx3-ubyte")
		if imgPath == "" {
			return nil, missingErr(path, fmt.Sprintf("no %s-images-idx3-ubyte[.gz] in this "+
				"directory", prefix))
		}
		labPath = findIDX(path, prefix+"-labels-idx1-ubyte")
	} else {
		if test {
			return nil, fmt.Errorf("%w: split test needs a directory, %s is a file",
				ErrOptions, path)
		}
		base := filepath.Base(path)
		if sib := strings.Replace(base, "images-idx3", "labels-idx1", 1); sib != base {
			labPath = filepath.Join(filepath.Dir(path), sib)
			if _, err := os.Stat(labPath); err != nil {
				labPath = ""
			}
		}
	}
	img, err := readIDXFile(imgPath, idxImagesMagic)
	if err != nil {
		return nil, err
	}
	var lab idxData
	if labPath != "" {
		if lab, err = readIDXFile(labPath, idxLabelsMagic); err != nil {
			return nil, err
		}
	}
	return newIDXSource("idx "+imgPath, img, lab, size, channels)
}

// findIDX returns dir/name or dir/name.gz, whichever exists, or "".
func findIDX(dir, name string) string {
	for _, p := range []string{name, name + ".gz"} {
		p = filepath.Join(dir, p)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// idxData is one parsed IDX file.
type idxData struct {
	path string
	dims []int
	data []uint8
}

func readIDXFile(path string, magic uint32) (idxData, error) {
	f, err := os.Open(path)
	if err != nil {
		return idxData{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return idxData{}, fmt.Errorf("data: %w", err)
	}
	if st.IsDir() {
		return idxData{}, formatErr(path, "is a directory, want an IDX file", nil)
	}
	return decodeIDX(f, path, st.Size(), magic)
}

// decodeIDX parses an IDX file of unsigned bytes with the given magic from r, raw or
// gzipped (told apart by the gzip magic). size is the raw length of r, or -1 if unknown.
// The header is checked before any allocation, and the data must fill the file exactly.
func decodeIDX(r io.Reader, path string, size int64, magic uint32) (idxData, error) {
	what := "IDX images"
	if magic == idxLabelsMagic {
		what = "IDX labels"
	}
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return idxData{}, formatErr(path, "bad gzip header", err)
		}
		defer zr.Close()
		r, size = zr, -1
	} else {
		r = br
	}

	var head [4]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		return idxData{}, truncErr(path, what, "magic", n, err)
	}
	if got := binary.BigEndian.Uint32(head[:]); got != magic {
		return idxData{}, formatErr(path, fmt.Sprintf("wrong magic 0x%08x, want 0x%08x (%s)",
			got, magic, what), nil)
	}
	nd := int(magic & 0xff)
	raw := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, raw); err != nil {
		return idxData{}, truncErr(path, what, "header", 4+n, err)
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		d := int64(binary.BigEndian.Uint32(raw[4*i:]))
		if d == 0 {
			return idxData{}, formatErr(path, fmt.Sprintf("header dimension %d is 0", i), nil)
		}
		if total > maxIDXBytes/d {
			return idxData{}, formatErr(path, fmt.Sprintf("header claims %v, more than "+
				"16 GiB", dimsString(raw, nd)), nil)
		}
		total *= d
		dims[i] = int(d)
	}

	want := total
	if size >= 0 {
		if have := size - int64(4+4*nd); have != want {
			return idxData{}, lengthErr(path, raw, nd, want, have)
		}
	}
	data, err := readExactly(r, want)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return idxData{}, formatErr(path, fmt.Sprintf("truncated: gzip stream ends after "+
			"%d of %d bytes of data", len(data), want), nil)
	}
	if err != nil {
		return idxData{}, formatErr(path, "reading data", err)
	}
	if have := int64(len(data)); have != want {
		return idxData{}, lengthErr(path, raw, nd, want, have)
	}
	return idxData{path: path, dims: dims, data: data}, nil
}

// readExactly reads want bytes, or what is there if fewer, plus one byte more if r is
// longer. It allocates as data arrives, so a lying header cannot make it allocate much
// more than the stream holds.
func readExactly(r io.Reader, want int64) ([]byte, error) {
	const chunk = 1 << 20
	if want <= chunk {
		buf := make([]byte, want+1)
		n, err := io.ReadFull(r, buf)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return buf[:n], err
	}
	return io.ReadAll(io.LimitReader(r, want+1))
}

// truncErr reports a file that ends inside its header.
func truncErr(path, what, part string, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr(path, fmt.Sprintf("truncated: ends after %d bytes, inside the %s %s",
			got, what, part), nil)
	}
	return formatErr(path, "reading "+part, err)
}

// lengthErr reports data of the wrong length.
func lengthErr(path string, raw []byte, nd int, want, have int64) error {
	if have < want {
		return formatErr(path, fmt.Sprintf("truncated: header says %s (%d bytes of data), "+
			"file holds %d", dimsString(raw, nd), want, have), nil)
	}
	return formatErr(path, fmt.Sprintf("too long: header says %s (%d bytes of data), "+
		"more follows", dimsString(raw, nd), want), nil)
}

// dimsString writes the header's dims as "60000×28×28".
func dimsString(raw []byte, nd int) string {
	var b strings.Builder
	for i := range nd {
		if i > 0 {
			b.WriteString("×")
		}
		fmt.Fprint(&b, binary.BigEndian.Uint32(raw[4*i:]))
	}
	return b.String()
}
