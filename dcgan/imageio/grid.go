package imageio

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// SaveGrid writes imgs, float32 [N, C, H, W] with C 1 or 3 and values in [-1, 1], as a PNG
// grid of cols images per row with pad black pixels between and around them. A value v
// becomes the byte round((v+1)/2·255), clamped to [0, 255]; NaN becomes 0.
func SaveGrid(path string, imgs *tensor.Dense, cols, pad int) error {
	n, c, h, w, err := gridShape(imgs, tensor.Float32)
	if err != nil {
		return fmt.Errorf("imageio: grid %s: %w", path, err)
	}
	v := imgs.Float32s()
	if len(v) < n*c*h*w {
		return fmt.Errorf("imageio: grid %s: %d values for shape %v", path, len(v), imgs.Shape())
	}
	v = v[:n*c*h*w]
	pix := make([]uint8, len(v))
	for i, x := range v {
		pix[i] = toByte(x)
	}
	return writeGrid(path, pix, n, c, h, w, cols, pad)
}

// SaveGridU8 writes imgs, uint8 [N, C, H, W] with C 1 or 3 (a batch of real images), as
// SaveGrid does.
func SaveGridU8(path string, imgs *tensor.Dense, cols, pad int) error {
	n, c, h, w, err := gridShape(imgs, tensor.Uint8)
	if err != nil {
		return fmt.Errorf("imageio: grid %s: %w", path, err)
	}
	v := imgs.Uint8s()
	if len(v) < n*c*h*w {
		return fmt.Errorf("imageio: grid %s: %d values for shape %v", path, len(v), imgs.Shape())
	}
	return writeGrid(path, v[:n*c*h*w], n, c, h, w, cols, pad)
}

// toByte maps [-1, 1] to [0, 255] as torchvision's save_image rounds: x·255 + 0.5, truncated.
func toByte(x float32) uint8 {
	f := (float64(x)+1)/2*255 + 0.5
	if !(f > 0) { // also NaN
		return 0
	}
	return uint8(math.Min(f, 255))
}

func gridShape(imgs *tensor.Dense, dt tensor.Dtype) (n, c, h, w int, err error) {
	if imgs == nil {
		return 0, 0, 0, 0, fmt.Errorf("no images")
	}
	s := imgs.Shape()
	if len(s) != 4 || imgs.Dtype() != dt {
		return 0, 0, 0, 0, fmt.Errorf("want %v [N, C, H, W], got %v %v", dt, imgs.Dtype(), s)
	}
	n, c, h, w = s[0], s[1], s[2], s[3]
	if n < 1 || (c != 1 && c != 3) || h < 1 || w < 1 {
		return 0, 0, 0, 0, fmt.Errorf("cannot draw images of shape %v", s)
	}
	return n, c, h, w, nil
}

// writeGrid lays out planar NCHW bytes into one picture and writes it as PNG.
func writeGrid(path string, pix []uint8, n, c, h, w, cols, pad int) error {
	if cols < 1 || pad < 0 {
		return fmt.Errorf("imageio: grid %s: bad layout: %d columns, padding %d", path, cols, pad)
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	W, H := cols*(w+pad)+pad, rows*(h+pad)+pad

	var img image.Image
	if c == 1 {
		g := image.NewGray(image.Rect(0, 0, W, H))
		for k := 0; k < n; k++ {
			x0, y0 := pad+(k%cols)*(w+pad), pad+(k/cols)*(h+pad)
			src := pix[k*h*w:]
			for y := 0; y < h; y++ {
				copy(g.Pix[(y0+y)*g.Stride+x0:][:w], src[y*w:][:w])
			}
		}
		img = g
	} else {
		rgb := image.NewNRGBA(image.Rect(0, 0, W, H))
		for i := 3; i < len(rgb.Pix); i += 4 {
			rgb.Pix[i] = 255
		}
		for k := 0; k < n; k++ {
			x0, y0 := pad+(k%cols)*(w+pad), pad+(k/cols)*(h+pad)
			plane := pix[k*3*h*w:]
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					o := rgb.PixOffset(x0+x, y0+y)
					for ch := 0; ch < 3; ch++ {
						rgb.Pix[o+ch] = plane[ch*h*w+y*w+x]
					}
				}
			}
		}
		img = rgb
	}
	return writePNG(path, img)
}

// writePNG encodes img and replaces path with it atomically.
func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("imageio: encode %s: %w", path, err)
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("imageio: %w", err)
	}
	return nil
}
