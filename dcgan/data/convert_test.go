package data

import (
	"bytes"
	"image"
	"image/color"
	"testing"
)

func TestLuma(t *testing.T) {
	for _, c := range []struct {
		r, g, b, want uint8
	}{
		{0, 0, 0, 0},
		{255, 255, 255, 255},
		{255, 0, 0, 76},  // 0.299*255 = 76.2
		{0, 255, 0, 150}, // 0.587*255 = 149.7
		{0, 0, 255, 29},  // 0.114*255 = 29.1
		{10, 200, 30, 124},
	} {
		if got := luma(c.r, c.g, c.b); got != c.want {
			t.Errorf("luma(%d, %d, %d) = %d, want %d", c.r, c.g, c.b, got, c.want)
		}
	}
}

// planes3 is the planar RGB of a 2×1 image with pixels p0 and p1.
func planes3(p0, p1 [3]uint8) []uint8 {
	return []uint8{p0[0], p1[0], p0[1], p1[1], p0[2], p1[2]}
}

func TestToPlanes(t *testing.T) {
	r2 := image.Rect(0, 0, 2, 1)

	gray := image.NewGray(r2)
	gray.Pix = []uint8{7, 200}

	g16 := image.NewGray16(r2)
	g16.SetGray16(0, 0, color.Gray16{Y: 0x12ff})
	g16.SetGray16(1, 0, color.Gray16{Y: 0xff01})

	nrgba := image.NewNRGBA(r2) // alpha dropped, colour under transparency kept
	nrgba.SetNRGBA(0, 0, color.NRGBA{10, 20, 30, 0})
	nrgba.SetNRGBA(1, 0, color.NRGBA{200, 100, 50, 128})

	n64 := image.NewNRGBA64(r2)
	n64.SetNRGBA64(0, 0, color.NRGBA64{0x0a00, 0x14ff, 0x1e80, 0})
	n64.SetNRGBA64(1, 0, color.NRGBA64{0xc800, 0x6400, 0x3200, 0xffff})

	rgba := image.NewRGBA(r2) // premultiplied: half-transparent pixel is un-premultiplied
	rgba.SetRGBA(0, 0, color.RGBA{1, 2, 3, 255})
	rgba.SetRGBA(1, 0, color.RGBA{50, 25, 0, 127})

	pal := image.NewPaletted(r2, color.Palette{
		color.RGBA{9, 8, 7, 255}, color.NRGBA{100, 150, 200, 0},
	})
	pal.Pix = []uint8{1, 0}

	ycc := image.NewYCbCr(r2, image.YCbCrSubsampleRatio444)
	ycc.Y = []uint8{128, 30}
	ycc.Cb = []uint8{128, 200}
	ycc.Cr = []uint8{128, 60}
	y0r, y0g, y0b := color.YCbCrToRGB(128, 128, 128)
	y1r, y1g, y1b := color.YCbCrToRGB(30, 200, 60)

	for _, c := range []struct {
		name string
		img  image.Image
		rgb  []uint8
	}{
		{"gray", gray, planes3([3]uint8{7, 7, 7}, [3]uint8{200, 200, 200})},
		{"gray16", g16, planes3([3]uint8{0x12, 0x12, 0x12}, [3]uint8{0xff, 0xff, 0xff})},
		{"nrgba", nrgba, planes3([3]uint8{10, 20, 30}, [3]uint8{200, 100, 50})},
		{"nrgba64", n64, planes3([3]uint8{0x0a, 0x14, 0x1e}, [3]uint8{0xc8, 0x64, 0x32})},
		{"rgba", rgba, planes3([3]uint8{1, 2, 3}, [3]uint8{100, 50, 0})},
		{"paletted", pal, planes3([3]uint8{100, 150, 200}, [3]uint8{9, 8, 7})},
		{"ycbcr", ycc, planes3([3]uint8{y0r, y0g, y0b}, [3]uint8{y1r, y1g, y1b})},
		{"cmyk", &image.CMYK{Pix: []uint8{0, 0, 0, 0, 255, 0, 255, 0}, Stride: 8, Rect: r2},
			planes3([3]uint8{255, 255, 255}, [3]uint8{0, 255, 0})},
	} {
		got, w, h := toPlanes(c.img, 3)
		if w != 2 || h != 1 || !bytes.Equal(got, c.rgb) {
			t.Errorf("%s to RGB: %d×%d %v, want 2×1 %v", c.name, w, h, got, c.rgb)
		}
		want1 := []uint8{luma(c.rgb[0], c.rgb[2], c.rgb[4]), luma(c.rgb[1], c.rgb[3], c.rgb[5])}
		if got, _, _ := toPlanes(c.img, 1); !bytes.Equal(got, want1) {
			t.Errorf("%s to gray: %v, want %v", c.name, got, want1)
		}
	}
}

// TestToPlanesSubimage checks that an image whose bounds do not start at the origin is read
// from its bounds.
func TestToPlanesSubimage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 3, 3))
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	sub := g.SubImage(image.Rect(1, 1, 3, 3))
	got, w, h := toPlanes(sub, 1)
	if want := []uint8{4, 5, 7, 8}; w != 2 || h != 2 || !bytes.Equal(got, want) {
		t.Errorf("sub-image: %d×%d %v, want 2×2 %v", w, h, got, want)
	}
}
