package data

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeImage encodes img as PNG, or JPEG when the name ends in .jpg.
func writeImage(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".jpg") {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, s Source) [][]uint8 {
	t.Helper()
	out := make([][]uint8, s.Len())
	for i := range out {
		out[i] = make([]uint8, s.Channels()*s.Size()*s.Size())
		if err := s.Read(i, out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()

	// a/gray.png: 4 wide, 7 tall; at size 4 the crop keeps rows 2..5 (round(1.5) = 2).
	gray := image.NewGray(image.Rect(0, 0, 4, 7))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(10 * i)
	}
	writeImage(t, filepath.Join(dir, "a", "gray.png"), gray)

	// b.png: 16-bit RGBA 4×4, high bytes kept, alpha dropped.
	n64 := image.NewNRGBA64(image.Rect(0, 0, 4, 4))
	for i := range 16 {
		n64.SetNRGBA64(i%4, i/4, color.NRGBA64{uint16(i) << 8, 0x80ff, 0xff00, uint16(i)})
	}
	writeImage(t, filepath.Join(dir, "b.png"), n64)

	// c.PNG: paletted 4×4 (capital extension still counts).
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4),
		color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 2)
	}
	writeImage(t, filepath.Join(dir, "c.PNG"), pal)

	// notes.txt is not an image and is left out.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)

	src, err := Open(Options{Kind: "folder", Path: dir, Size: 4, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if src.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (gray.png, b.png, c.PNG)", src.Len())
	}
	imgs := readAll(t, src)

	wantGray := gray.Pix[2*4 : 6*4] // rows 2..5
	for c := range 3 {
		if got := imgs[0][c*16 : (c+1)*16]; !bytes.Equal(got, wantGray) {
			t.Errorf("a/gray.png channel %d = %v, want %v", c, got, wantGray)
		}
	}
	for i := range 16 {
		if r, g, b := imgs[1][i], imgs[1][16+i], imgs[1][32+i]; r != uint8(i) || g != 0x80 ||
			b != 0xff {
			t.Errorf("b.png pixel %d = (%d, %d, %d), want (%d, 128, 255)", i, r, g, b, i)
		}
	}
	for i := range 16 {
		r, b := imgs[2][i], imgs[2][32+i]
		if (i%2 == 0) != (r == 255 && b == 0) || (i%2 == 1) != (r == 0 && b == 255) {
			t.Errorf("c.PNG pixel %d = R %d B %d, want palette entry %d", i, r, b, i%2)
		}
	}

	// The same folder in one channel: luma of the colours.
	src1, err := Open(Options{Kind: "folder", Path: dir, Size: 4, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	g := readAll(t, src1)
	if !bytes.Equal(g[0], wantGray) || g[2][0] != luma(255, 0, 0) || g[2][1] != luma(0, 0, 255) {
		t.Errorf("gray folder: %v, %v", g[0], g[2][:2])
	}
}

// TestFolderResize checks that a folder image goes through the same resize as the
// PIL-checked resizer: a 12×9 RGB image to 4.
func TestFolderResize(t *testing.T) {
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 12, 9))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 37)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	writeImage(t, filepath.Join(dir, "x.png"), img)
	src, err := Open(Options{Kind: "folder", Path: dir, Size: 4, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, src)[0]
	planes, _, _ := toPlanes(img, 3)
	rs := newResizer(12, 9, 4)
	for c := range 3 {
		want := make([]uint8, 16)
		rs.plane(planes[c*108:(c+1)*108], want)
		if !bytes.Equal(got[c*16:(c+1)*16], want) {
			t.Errorf("channel %d = %v, want %v", c, got[c*16:(c+1)*16], want)
		}
	}
}

func TestFolderJPEG(t *testing.T) {
	dir := t.TempDir()
	col := image.NewRGBA(image.Rect(0, 0, 16, 16))
	gray := image.NewGray(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			col.SetRGBA(x, y, color.RGBA{uint8(16 * x), uint8(16 * y), 200, 255})
			gray.SetGray(x, y, color.Gray{uint8(8 * (x + y))})
		}
	}
	writeImage(t, filepath.Join(dir, "1.jpg"), col)
	writeImage(t, filepath.Join(dir, "2.jpg"), gray)
	src, err := Open(Options{Kind: "folder", Path: dir, Size: 16, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	imgs := readAll(t, src)

	// Colour: what image/jpeg decodes, converted to RGB; and close to what was encoded.
	f, _ := os.Open(filepath.Join(dir, "1.jpg"))
	dec, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dec.(*image.YCbCr); !ok {
		t.Fatalf("colour JPEG decoded as %T, want *image.YCbCr", dec)
	}
	want, _, _ := toPlanes(dec, 3)
	if !bytes.Equal(imgs[0], want) {
		t.Error("colour JPEG differs from its decoding")
	}
	for _, p := range [][3]int{{0, 0, 0}, {2, 5, 9}, {1, 15, 3}} {
		c, y, x := p[0], p[1], p[2]
		enc := [3]int{16 * x, 16 * y, 200}[c]
		if d := int(imgs[0][c*256+y*16+x]) - enc; d < -12 || d > 12 {
			t.Errorf("colour JPEG channel %d at (%d, %d) = %d, encoded %d", c, x, y,
				imgs[0][c*256+y*16+x], enc)
		}
	}

	// Gray JPEG to RGB: three equal channels.
	if !bytes.Equal(imgs[1][:256], imgs[1][256:512]) || !bytes.Equal(imgs[1][:256], imgs[1][512:]) {
		t.Error("gray JPEG to RGB: channels differ")
	}
}

func TestFolderErrors(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "readme.md"), []byte("no images"), 0o644)
	_, err := Open(Options{Kind: "folder", Path: empty, Size: 8, Channels: 3})
	if !errors.Is(err, ErrNoImages) || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty folder: %v, want ErrNoImages naming %s", err, empty)
	}

	_, err = Open(Options{Kind: "folder", Path: filepath.Join(empty, "nope"), Size: 8, Channels: 3})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing folder: %v", err)
	}

	dir := t.TempDir()
	writeImage(t, filepath.Join(dir, "good.png"), image.NewGray(image.Rect(0, 0, 8, 8)))
	bad := filepath.Join(dir, "sub", "bad.jpg")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("\xff\xd8 this is not really a jpeg"), 0o644)
	trunc := filepath.Join(dir, "trunc.png")
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 64, 64)))
	os.WriteFile(trunc, b.Bytes()[:b.Len()/2], 0o644)

	src, err := Open(Options{Kind: "folder", Path: dir, Size: 8, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]uint8, 64)
	fails := 0
	for i := range src.Len() {
		err := src.Read(i, dst)
		if err == nil {
			continue
		}
		fails++
		t.Log(err)
		if !errors.Is(err, ErrFormat) || !(strings.Contains(err.Error(), bad) ||
			strings.Contains(err.Error(), trunc)) || strings.Contains(err.Error(), "\n") {
			t.Errorf("bad image: %v, want one ErrFormat line naming the file", err)
		}
	}
	if fails != 2 {
		t.Errorf("%d images failed to read, want 2 (bad.jpg, trunc.png)", fails)
	}
}
