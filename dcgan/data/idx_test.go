package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an IDX file: magic, dims, data.
func idxBytes(magic uint32, dims []uint32, data []uint8) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(data)
	return b.Bytes()
}

func gzipBytes(b []byte) []byte {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyIDX returns n images of 3 rows × 2 columns whose pixels encode (image, pixel), and
// labels n-1-i.
func tinyIDX(n int) (images, labels []byte) {
	px := make([]uint8, n*6)
	lab := make([]uint8, n)
	for i := range px {
		px[i] = uint8(10*(i/6) + i%6)
	}
	for i := range lab {
		lab[i] = uint8(n - 1 - i)
	}
	return idxBytes(idxImagesMagic, []uint32{uint32(n), 3, 2}, px),
		idxBytes(idxLabelsMagic, []uint32{uint32(n)}, lab)
}

func TestIDXDirectory(t *testing.T) {
	dir := t.TempDir()
	img, lab := tinyIDX(5)
	timg, tlab := tinyIDX(3)
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), gzipBytes(img))
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), lab)
	writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), timg)
	writeFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), gzipBytes(tlab))

	for _, c := range []struct {
		split string
		n     int
	}{{"", 5}, {"test", 3}} {
		// Size 2 of a 2-wide, 3-tall image is a pure crop: row round(0.5) = 0 and 1.
		src, err := Open(Options{Kind: "idx", Path: dir, Split: c.split, Size: 2, Channels: 3})
		if err != nil {
			t.Fatal(err)
		}
		if src.Len() != c.n || src.Size() != 2 || src.Channels() != 3 {
			t.Fatalf("split %q: %d images %d×%d×%d", c.split, src.Len(), src.Channels(),
				src.Size(), src.Size())
		}
		labels := src.(Labeled).Labels()
		for i, im := range readAll(t, src) {
			base := uint8(10 * i)
			want := []uint8{base, base + 1, base + 2, base + 3}
			for ch := range 3 {
				if !bytes.Equal(im[4*ch:4*ch+4], want) {
					t.Errorf("split %q image %d channel %d = %v, want %v", c.split, i, ch,
						im[4*ch:4*ch+4], want)
				}
			}
			if int(labels[i]) != c.n-1-i {
				t.Errorf("split %q label %d = %d, want %d", c.split, i, labels[i], c.n-1-i)
			}
		}
	}
}

func TestIDXFile(t *testing.T) {
	dir := t.TempDir()
	img, lab := tinyIDX(4)
	p := filepath.Join(dir, "fashion-images-idx3-ubyte")
	writeFile(t, p, img)
	src, err := Open(Options{Kind: "idx", Path: p, Size: 2, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if l := src.(Labeled).Labels(); l != nil {
		t.Errorf("labels %v without a labels file", l)
	}
	writeFile(t, filepath.Join(dir, "fashion-labels-idx1-ubyte"), lab)
	src, err = Open(Options{Kind: "idx", Path: p, Size: 2, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if l := src.(Labeled).Labels(); !bytes.Equal(l, []uint8{3, 2, 1, 0}) {
		t.Errorf("labels beside the file: %v, want [3 2 1 0]", l)
	}
}

// TestIDXErrors checks each bad file gives one line naming the file and the problem.
func TestIDXErrors(t *testing.T) {
	img, lab := tinyIDX(4)
	wrong := append([]byte{0x12, 0x34, 0x56, 0x78}, img[4:]...)
	huge := idxBytes(idxImagesMagic, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil)
	claims := idxBytes(idxImagesMagic, []uint32{1 << 20, 28, 28}, make([]uint8, 100))
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"wrong magic", wrong, "wrong magic 0x12345678, want 0x00000803 (IDX images)"},
		{"labels as images", lab, "wrong magic 0x00000801, want 0x00000803 (IDX images)"},
		{"truncated data", img[:len(img)-1], "truncated: header says 4×3×2 (24 bytes of " +
			"data), file holds 23"},
		{"truncated header", img[:10], "truncated: ends after 10 bytes, inside the IDX " +
			"images header"},
		{"truncated magic", img[:3], "truncated: ends after 3 bytes, inside the IDX images magic"},
		{"empty", nil, "truncated: ends after 0 bytes"},
		{"too long", append(img, 0), "too long: header says 4×3×2"},
		{"gzip truncated data", gzipBytes(img[:len(img)-5]), "truncated"},
		{"gzip cut", gzipBytes(img)[:30], "truncated"},
		{"gzip too long", gzipBytes(append(img, 1, 2)), "too long"},
		{"zero dim", idxBytes(idxImagesMagic, []uint32{4, 0, 2}, nil), "dimension 1 is 0"},
		{"huge header", huge, "more than 16 GiB"},
		{"lying header", claims, "file holds 100"},
		{"lying header gzip", gzipBytes(claims), "truncated"},
	} {
		p := filepath.Join(t.TempDir(), "train-images-idx3-ubyte")
		writeFile(t, p, c.file)
		_, err := Open(Options{Kind: "idx", Path: p, Size: 8, Channels: 1})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := err.Error()
		t.Logf("%s: %s", c.name, msg)
		if !errors.Is(err, ErrFormat) || !strings.HasPrefix(msg, "data: "+p+": ") ||
			!strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q (ErrFormat %v), want one line naming %s and saying %q", c.name,
				msg, errors.Is(err, ErrFormat), p, c.want)
		}
	}

	// Labels that do not match the images in number.
	dir := t.TempDir()
	_, lab3 := tinyIDX(3)
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte"), img)
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), lab3)
	_, err := Open(Options{Kind: "idx", Path: dir, Size: 8, Channels: 1})
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "3 labels for 4 images") {
		t.Errorf("label count mismatch: %v", err)
	}

	// Missing: a path that does not exist, a directory without the files.
	_, err = Open(Options{Kind: "idx", Path: filepath.Join(dir, "nope"), Size: 8, Channels: 1})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Open(Options{Kind: "idx", Path: dir, Split: "test", Size: 8, Channels: 1})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) ||
		!strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("directory without test files: %v", err)
	}
}
