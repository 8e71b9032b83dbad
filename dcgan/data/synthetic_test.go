package data

import (
	"bytes"
	"testing"
)

func TestSynthetic(t *testing.T) {
	open := func(seed uint64, split string, size, c int) Source {
		s, err := Open(Options{Kind: "synthetic", Seed: seed, Split: split, Size: size,
			Channels: c, Count: 50})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := readAll(t, open(1, "", 16, 3))
	b := readAll(t, open(1, "", 16, 3))
	other := readAll(t, open(2, "", 16, 3))
	test := readAll(t, open(1, "test", 16, 3))
	if len(a) != 50 {
		t.Fatalf("%d images, want 50", len(a))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Errorf("image %d differs between two opens", i)
		}
		if bytes.Equal(a[i], other[i]) || bytes.Equal(a[i], test[i]) {
			t.Errorf("image %d is the same for another seed or split", i)
		}
		if i > 0 && bytes.Equal(a[i], a[i-1]) {
			t.Errorf("images %d and %d are equal", i-1, i)
		}
	}

	// Structure: neighbouring pixels are close (smooth), the image is not flat.
	var diff, spread float64
	for _, im := range a {
		lo, hi := 255, 0
		for p := range 16*16 - 1 {
			if p%16 != 15 {
				d := int(im[p]) - int(im[p+1])
				diff += float64(d * d)
			}
			lo, hi = min(lo, int(im[p])), max(hi, int(im[p]))
		}
		spread += float64(hi - lo)
	}
	if rms := diff / float64(50*16*15); rms > 15*15 {
		t.Errorf("neighbouring pixels differ by %.1f RMS: not smooth", rms)
	}
	if spread/50 < 40 {
		t.Errorf("mean range within an image %.1f: too flat", spread/50)
	}

	// Gray is the luma of the colour image; the default count is 10000.
	g := open(1, "", 16, 1)
	dst := make([]uint8, 256)
	g.Read(3, dst)
	for p := range 256 {
		if dst[p] != luma(a[3][p], a[3][256+p], a[3][512+p]) {
			t.Fatalf("gray pixel %d = %d, want luma of the colour image", p, dst[p])
		}
	}
	def, _ := Open(Options{Kind: "synthetic", Size: 8, Channels: 1})
	if def.Len() != 10000 {
		t.Errorf("default count %d, want 10000", def.Len())
	}
}
