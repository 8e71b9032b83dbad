package data

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cifarBytes builds n records: label (first+i)%10, and planes R = i, G = 100+i, B = pixel
// index mod 256.
func cifarBytes(n, first int) []byte {
	b := make([]byte, 0, n*cifarRecord)
	for i := range n {
		b = append(b, uint8((first+i)%10))
		b = append(b, bytes.Repeat([]byte{uint8(first + i)}, cifarPlane)...)
		b = append(b, bytes.Repeat([]byte{uint8(100 + first + i)}, cifarPlane)...)
		for p := range cifarPlane {
			b = append(b, uint8(p))
		}
	}
	return b
}

func TestCIFAR(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "cifar-10-batches-bin")
	os.MkdirAll(sub, 0o755)
	// data_batch_10 sorts after data_batch_2 by number, not by name.
	writeFile(t, filepath.Join(sub, "data_batch_1.bin"), cifarBytes(3, 0))
	writeFile(t, filepath.Join(sub, "data_batch_2.bin"), cifarBytes(2, 3))
	writeFile(t, filepath.Join(sub, "data_batch_10.bin"), cifarBytes(1, 5))
	writeFile(t, filepath.Join(sub, "test_batch.bin"), cifarBytes(4, 20))

	src, err := Open(Options{Kind: "cifar10", Path: dir, Size: 32, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != 6 {
		t.Fatalf("train Len = %d, want 6", src.Len())
	}
	if l := src.(Labeled).Labels(); !bytes.Equal(l, []uint8{0, 1, 2, 3, 4, 5}) {
		t.Errorf("train labels %v, want 0..5 in batch order", l)
	}
	for i, im := range readAll(t, src) {
		if im[0] != uint8(i) || im[cifarPlane+7] != uint8(100+i) || im[2*cifarPlane+300] != 44 {
			t.Errorf("image %d: R %d G %d B %d", i, im[0], im[cifarPlane+7], im[2*cifarPlane+300])
		}
	}

	test, err := Open(Options{Kind: "cifar10", Path: sub, Split: "test", Size: 16, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if l := test.(Labeled).Labels(); !bytes.Equal(l, []uint8{0, 1, 2, 3}) {
		t.Errorf("test labels %v, want [0 1 2 3]", l)
	}
	// Gray: luma of the record's planes, then the PIL-checked shrink to 16.
	im := readAll(t, test)[2]
	rec := cifarBytes(4, 20)[2*cifarRecord+1:]
	g := make([]uint8, cifarPlane)
	for p := range g {
		g[p] = luma(rec[p], rec[cifarPlane+p], rec[2*cifarPlane+p])
	}
	want := make([]uint8, 256)
	newResizer(32, 32, 16).plane(g, want)
	if !bytes.Equal(im, want) {
		t.Errorf("gray 16×16 test image 2 differs from luma+resize")
	}

	one, err := Open(Options{Kind: "cifar10", Path: filepath.Join(sub, "data_batch_2.bin"),
		Size: 64, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if one.Len() != 2 || one.Size() != 64 {
		t.Errorf("one file: %d images of %d", one.Len(), one.Size())
	}
	big := readAll(t, one)[1]
	if big[0] != 4 || big[64*64+4000] != 104 { // constant planes stay constant
		t.Errorf("64×64 upsample of constant planes: R %d G %d", big[0], big[64*64+4000])
	}
}

func TestCIFARErrors(t *testing.T) {
	bad := cifarBytes(2, 0)
	bad[cifarRecord] = 12
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"truncated", cifarBytes(2, 0)[:2*cifarRecord-1],
			"length 6145 is not a multiple of the CIFAR-10 record (3073 bytes)"},
		{"empty", nil, "empty file"},
		{"bad label", bad, "record 1 has label 12"},
	} {
		p := filepath.Join(t.TempDir(), "data_batch_1.bin")
		writeFile(t, p, c.file)
		_, err := Open(Options{Kind: "cifar10", Path: p, Size: 32, Channels: 3})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		t.Logf("%s: %v", c.name, err)
		if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "data: "+p+": ") ||
			!strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrFormat naming %s, saying %q", c.name, err, p, c.want)
		}
	}

	dir := t.TempDir()
	for _, split := range []string{"train", "test"} {
		_, err := Open(Options{Kind: "cifar10", Path: dir, Split: split, Size: 32, Channels: 3})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
			t.Errorf("empty directory, %s: %v", split, err)
		}
	}
	_, err := Open(Options{Kind: "cifar10", Path: filepath.Join(dir, "x.bin"), Size: 32,
		Channels: 3})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "x.bin") {
		t.Errorf("missing file: %v", err)
	}
}
