package data

import (
	"image"
	"image/color"
)

// NOTE [channel conversion]
// Decoded images become planar uint8 [C, H, W] before resizing, the way a torchvision
// pipeline converts the PIL image first (ImageFolder's loader calls convert('RGB')):
//
//   - gray → RGB repeats the gray value in the three channels;
//   - RGB → gray is PIL's convert('L'): ITU-R 601-2 luma, R*299/1000 + G*587/1000 +
//     B*114/1000, computed as PIL does in 16-bit fixed point with rounding;
//   - alpha is dropped, not composited: the colour stored under a transparent pixel is
//     kept, as PIL's convert('RGB') keeps it;
//   - paletted images look up their palette (its alpha dropped too);
//   - 16-bit samples keep their high byte (v>>8). PIL clips 16-bit grayscale to 255
//     instead, which turns most such images white; we scale.
//   - JPEG's YCbCr goes to RGB with Go's image/jpeg conversion, which can differ from
//     libjpeg's (what PIL uses) by a level or two.

// luma is PIL's RGB → L conversion.
func luma(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 0x8000) >> 16)
}

// toPlanes converts img to c (1 or 3) planes of its own width and height.
func toPlanes(img image.Image, c int) (planes []uint8, w, h int) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	planes = make([]uint8, c*w*h)
	put := func(i int, r, g, bl uint8) {
		if c == 1 {
			planes[i] = luma(r, g, bl)
			return
		}
		planes[i], planes[w*h+i], planes[2*w*h+i] = r, g, bl
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			for x, v := range row {
				put(y*w+x, v, v, v)
			}
		}
	case *image.Gray16:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:2*w]
			for x := range w {
				v := row[2*x] // big-endian: the high byte comes first
				put(y*w+x, v, v, v)
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			for x := range w {
				put(y*w+x, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.NRGBA64:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:8*w]
			for x := range w {
				put(y*w+x, row[8*x], row[8*x+2], row[8*x+4])
			}
		}
	case *image.RGBA: // premultiplied: exact where opaque, else through the colour model
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			for x := range w {
				p := color.NRGBA{row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]}
				if p.A != 255 {
					p = color.NRGBAModel.Convert(color.RGBA(p)).(color.NRGBA)
				}
				put(y*w+x, p.R, p.G, p.B)
			}
		}
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				put(y*w+x, r, g, bl)
			}
		}
	case *image.Paletted:
		var pal [256]color.NRGBA
		for i, p := range m.Palette {
			pal[i] = color.NRGBAModel.Convert(p).(color.NRGBA)
		}
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			for x, v := range row {
				p := pal[v]
				put(y*w+x, p.R, p.G, p.B)
			}
		}
	default: // RGBA, RGBA64, CMYK, …: through the colour model, un-premultiplied
		for y := range h {
			for x := range w {
				p := color.NRGBA64Model.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
				put(y*w+x, uint8(p.R>>8), uint8(p.G>>8), uint8(p.B>>8))
			}
		}
	}
	return planes, w, h
}
