package imageio

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func gray(img image.Image, x, y int) uint8 {
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

func TestSaveGridGray(t *testing.T) {
	// Three 2×2 images, two per row, padding 1: a 7×7 picture with black borders.
	v := []float32{
		-1, 1, 0, 0.5, // image 0
		2, -3, float32(math.NaN()), 1, // image 1: clamped, NaN
		-0.5, -0.5, -0.5, -0.5, // image 2, second row
	}
	path := filepath.Join(t.TempDir(), "g.png")
	imgs := tensor.New(tensor.WithShape(3, 1, 2, 2), tensor.WithBacking(v))
	if err := SaveGrid(path, imgs, 2, 1); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path)
	if b := img.Bounds(); b.Dx() != 7 || b.Dy() != 7 {
		t.Fatalf("size %v, want 7×7", b)
	}
	want := map[[2]int]uint8{
		{1, 1}: 0, {2, 1}: 255, {1, 2}: 128, {2, 2}: 191, // (0.5+1)/2·255 = 191.25
		{4, 1}: 255, {5, 1}: 0, {4, 2}: 0, {5, 2}: 255,
		{1, 4}: 64, {2, 5}: 64, // 63.75 rounds to 64
		{0, 0}: 0, {3, 1}: 0, {6, 6}: 0, {4, 4}: 0, // padding and the empty cell
	}
	for p, w := range want {
		if g := gray(img, p[0], p[1]); g != w {
			t.Errorf("pixel %v = %d, want %d", p, g, w)
		}
	}
}

func TestSaveGridRGB(t *testing.T) {
	// One 1×2 image: red channel -1, 1; green 1, -1; blue 0, 0.
	v := []float32{-1, 1, 1, -1, 0, 0}
	path := filepath.Join(t.TempDir(), "c.png")
	imgs := tensor.New(tensor.WithShape(1, 3, 1, 2), tensor.WithBacking(v))
	if err := SaveGrid(path, imgs, 8, 2); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path)
	if b := img.Bounds(); b.Dx() != 6 || b.Dy() != 5 {
		t.Fatalf("size %v, want 6×5 (one column, padding 2)", b)
	}
	for _, c := range []struct {
		x       int
		r, g, b uint32
	}{{2, 0, 255, 128}, {3, 255, 0, 128}} {
		r, g, b, a := img.At(c.x, 2).RGBA()
		if r>>8 != c.r || g>>8 != c.g || b>>8 != c.b || a>>8 != 255 {
			t.Errorf("pixel (%d,2) = %d %d %d %d, want %d %d %d 255", c.x, r>>8, g>>8, b>>8,
				a>>8, c.r, c.g, c.b)
		}
	}
}

func TestSaveGridU8(t *testing.T) {
	v := []uint8{0, 10, 20, 30, 40, 50, 60, 70}
	path := filepath.Join(t.TempDir(), "u.png")
	imgs := tensor.New(tensor.WithShape(2, 1, 2, 2), tensor.WithBacking(v))
	if err := SaveGridU8(path, imgs, 1, 0); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path)
	if b := img.Bounds(); b.Dx() != 2 || b.Dy() != 4 {
		t.Fatalf("size %v, want 2×4", b)
	}
	for i, want := range v {
		x, y := i%2, i/2 // one column: image 1 lies under image 0
		if g := gray(img, x, y); g != want {
			t.Errorf("pixel (%d,%d) = %d, want %d", x, y, g, want)
		}
	}
}

func TestSaveGridRejects(t *testing.T) {
	dir := t.TempDir()
	f32 := func(shape ...int) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...),
			tensor.WithBacking(make([]float32, tensor.Shape(shape).TotalSize())))
	}
	for name, c := range map[string]struct {
		imgs      *tensor.Dense
		cols, pad int
		u8        bool
	}{
		"nil":          {nil, 8, 2, false},
		"three dims":   {f32(2, 4, 4), 8, 2, false},
		"two channels": {f32(1, 2, 4, 4), 8, 2, false},
		"no columns":   {f32(1, 1, 4, 4), 0, 2, false},
		"float as u8":  {f32(1, 1, 4, 4), 8, 2, true},
	} {
		path := filepath.Join(dir, name+".png")
		var err error
		if c.u8 {
			err = SaveGridU8(path, c.imgs, c.cols, c.pad)
		} else {
			err = SaveGrid(path, c.imgs, c.cols, c.pad)
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("%s: a file was written", name)
		}
	}
}
