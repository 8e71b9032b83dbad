package eval

import (
	"fmt"
	"image"
	"math"

	"golang.org/x/image/draw"
	"gorgonia.org/tensor"
)

// ToDigits turns images, float32 [N, C, H, W] in [-1, 1] with C 1 or 3, into the
// classifier's input: N grayscale 32×32 images of bytes, back to back. Each value becomes
// the byte a PNG of it would hold (round((v+1)/2·255), clamped; see imageio.SaveGrid), so
// generated images reach the classifier the way real ones do. Color becomes gray with
// PIL's ITU-R 601 luma, as the data package converts; other sides than 32 are resized
// bilinearly (antialiased when shrinking).
func ToDigits(imgs *tensor.Dense) ([]uint8, error) {
	if imgs == nil {
		return nil, fmt.Errorf("eval: no images")
	}
	s := imgs.Shape()
	if imgs.Dtype() != tensor.Float32 || len(s) != 4 || s[0] < 1 || (s[1] != 1 && s[1] != 3) ||
		s[2] < 1 || s[3] < 1 || imgs.RequiresIterator() {
		return nil, fmt.Errorf("eval: want float32 images [N, 1 or 3, H, W], got %v %v",
			imgs.Dtype(), []int(s))
	}
	n, c, h, w := s[0], s[1], s[2], s[3]
	v := imgs.Float32s()
	const px = InputSize * InputSize
	out := make([]uint8, n*px)
	gray := image.NewGray(image.Rect(0, 0, w, h))
	for i := 0; i < n; i++ {
		toGray(v[i*c*h*w:(i+1)*c*h*w], c, gray.Pix)
		dst := out[i*px : (i+1)*px]
		if h == InputSize && w == InputSize {
			copy(dst, gray.Pix)
			continue
		}
		small := &image.Gray{Pix: dst, Stride: InputSize, Rect: image.Rect(0, 0, InputSize, InputSize)}
		draw.BiLinear.Scale(small, small.Rect, gray, gray.Rect, draw.Src, nil)
	}
	return out, nil
}

// toGray quantises one image of c planes to bytes and, for three planes, takes their luma.
func toGray(v []float32, c int, dst []uint8) {
	hw := len(v) / c
	if c == 1 {
		for j, x := range v {
			dst[j] = toByte(x)
		}
		return
	}
	for j := 0; j < hw; j++ {
		r, g, b := uint32(toByte(v[j])), uint32(toByte(v[hw+j])), uint32(toByte(v[2*hw+j]))
		dst[j] = uint8((19595*r + 38470*g + 7471*b + 0x8000) >> 16)
	}
}

// toByte maps [-1, 1] to a byte as imageio.SaveGrid does; NaN becomes 0.
func toByte(x float32) uint8 {
	f := (float64(x)+1)/2*255 + 0.5
	if !(f > 0) {
		return 0
	}
	return uint8(math.Min(f, 255))
}
