package data

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
)

func TestCropBox(t *testing.T) {
	for _, c := range []struct {
		w, h, size        int
		rw, rh, left, top int
	}{
		{28, 28, 32, 32, 32, 0, 0},
		{4, 5, 4, 4, 5, 0, 0}, // round(0.5) = 0: half to even
		{4, 7, 4, 4, 7, 0, 2}, // round(1.5) = 2
		{9, 4, 4, 9, 4, 2, 0}, // round(2.5) = 2
		{178, 218, 64, 64, 78, 0, 7},
		{100, 37, 16, 43, 16, 14, 0}, // 16*100/37 = 43.2 → 43; round(13.5) = 14
		{3, 5, 8, 8, 13, 0, 2},       // 8*5/3 = 13.3 → 13; round(2.5) = 2
	} {
		rw, rh, left, top := cropBox(c.w, c.h, c.size)
		if rw != c.rw || rh != c.rh || left != c.left || top != c.top {
			t.Errorf("cropBox(%d, %d, %d) = %d×%d at (%d, %d), want %d×%d at (%d, %d)",
				c.w, c.h, c.size, rw, rh, left, top, c.rw, c.rh, c.left, c.top)
		}
	}
}

// TestResizeHand checks a 2× bilinear shrink worked out by hand: each output averages
// three inputs with triangle weights 0.75, 0.75, 0.25 (normalised by 1.75).
func TestResizeHand(t *testing.T) {
	src := []uint8{
		0, 0, 255, 255,
		0, 0, 255, 255,
		0, 0, 255, 255,
		0, 0, 255, 255,
	}
	dst := make([]uint8, 4)
	newResizer(4, 4, 2).plane(src, dst)
	// 255*0.25/1.75 = 36.4 and 255*1.5/1.75 = 218.6
	if want := []uint8{36, 219, 36, 219}; !bytes.Equal(dst, want) {
		t.Errorf("4×4 → 2×2 gave %v, want %v", dst, want)
	}

	// Pure crop: 3 wide, 5 tall, size 3 keeps rows 1..3 (round(1.0) = 1).
	src = []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	dst = make([]uint8, 9)
	newResizer(3, 5, 3).plane(src, dst)
	if want := []uint8{4, 5, 6, 7, 8, 9, 10, 11, 12}; !bytes.Equal(dst, want) {
		t.Errorf("crop 3×5 → 3×3 gave %v, want %v", dst, want)
	}
}

type pilCase struct {
	Name    string
	Mode    string // "L" or "RGB", interleaved as PIL's tobytes
	Convert string // "L": PIL converted the RGB input to L before resizing
	W, H    int
	Size    int
	Input   string
	Output  string
}

// TestResizePIL compares resizing (and RGB → L) with what Pillow produced for the same
// inputs under torchvision's Resize+CenterCrop (testdata/gen_pil.py).
func TestResizePIL(t *testing.T) {
	raw, err := os.ReadFile("testdata/pil_resize.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct{ Cases []pilCase }
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) < 20 {
		t.Fatalf("only %d fixture cases", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		in, _ := base64.StdEncoding.DecodeString(c.Input)
		want, _ := base64.StdEncoding.DecodeString(c.Output)
		planes := deinterleave(in, c.Mode, c.W*c.H)
		if c.Convert == "L" {
			gray := make([]uint8, c.W*c.H)
			for i := range gray {
				gray[i] = luma(planes[0][i], planes[1][i], planes[2][i])
			}
			planes = [][]uint8{gray}
		}
		rs := newResizer(c.W, c.H, c.Size)
		got := make([]uint8, len(planes)*c.Size*c.Size)
		out := c.Size * c.Size
		for k, p := range planes {
			rs.plane(p, got[k*out:(k+1)*out])
		}
		if c.Mode == "RGB" && c.Convert == "" {
			got = interleave(got, out)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: differs from Pillow\n got %v\nwant %v", c.Name, got, want)
		}
	}
}

func deinterleave(b []uint8, mode string, n int) [][]uint8 {
	if mode == "L" {
		return [][]uint8{b}
	}
	p := [][]uint8{make([]uint8, n), make([]uint8, n), make([]uint8, n)}
	for i := range n {
		p[0][i], p[1][i], p[2][i] = b[3*i], b[3*i+1], b[3*i+2]
	}
	return p
}

func interleave(planar []uint8, n int) []uint8 {
	b := make([]uint8, 3*n)
	for i := range n {
		b[3*i], b[3*i+1], b[3*i+2] = planar[i], planar[n+i], planar[2*n+i]
	}
	return b
}
