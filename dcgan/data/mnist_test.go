package data

import (
	"bytes"
	"testing"
)

func TestMNISTEmbedded(t *testing.T) {
	for _, c := range []struct {
		split      string
		n          int
		first, sum int // first label; sum of the first ten labels
	}{
		{"train", 60000, 5, 5 + 0 + 4 + 1 + 9 + 2 + 1 + 3 + 1 + 4},
		{"test", 10000, 7, 7 + 2 + 1 + 0 + 4 + 1 + 4 + 9 + 5 + 9},
	} {
		src, err := Open(Options{Split: c.split, Size: 32, Channels: 1})
		if err != nil {
			t.Fatal(err)
		}
		if src.Len() != c.n {
			t.Errorf("%s: %d images, want %d", c.split, src.Len(), c.n)
		}
		labels := src.(Labeled).Labels()
		sum := 0
		for _, l := range labels[:10] {
			sum += int(l)
		}
		if len(labels) != c.n || labels[0] != uint8(c.first) || sum != c.sum {
			t.Errorf("%s: %d labels starting %v, want %d starting with %d", c.split,
				len(labels), labels[:10], c.n, c.first)
		}

		// At 28 the source gives the raw digits; MNIST() gives the same bytes.
		raw, rawLabels, err := MNIST(c.split)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != c.n*784 || !bytes.Equal(rawLabels, labels) {
			t.Errorf("%s: MNIST() returned %d bytes, labels equal %v", c.split, len(raw),
				bytes.Equal(rawLabels, labels))
		}
		native, err := Open(Options{Kind: "mnist", Split: c.split, Size: 28, Channels: 3})
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]uint8, 3*784)
		for _, i := range []int{0, 1, c.n - 1} {
			if err := native.Read(i, dst); err != nil {
				t.Fatal(err)
			}
			for ch := range 3 {
				if !bytes.Equal(dst[ch*784:(ch+1)*784], raw[i*784:(i+1)*784]) {
					t.Errorf("%s image %d channel %d differs from the raw digit", c.split, i, ch)
				}
			}
		}
	}
}

// TestMNISTResized checks the 32×32 source against the PIL-checked resizer and that the
// digit stays where it was: the blank border stays blank.
func TestMNISTResized(t *testing.T) {
	src, err := Open(Options{Kind: "mnist", Size: 32, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	raw, _, _ := MNIST("train")
	got := make([]uint8, 1024)
	want := make([]uint8, 1024)
	rs := newResizer(28, 28, 32)
	for _, i := range []int{0, 59999} {
		src.Read(i, got)
		rs.plane(raw[i*784:(i+1)*784], want)
		if !bytes.Equal(got, want) {
			t.Errorf("image %d differs from the resizer", i)
		}
		var edge, total int
		for p, v := range got {
			total += int(v)
			if y, x := p/32, p%32; y == 0 || x == 0 || y == 31 || x == 31 {
				edge += int(v)
			}
		}
		if edge != 0 || total < 10000 {
			t.Errorf("image %d: border sum %d, total %d", i, edge, total)
		}
	}
}
