package data

import "math"

// NOTE [resize like torchvision]
// Images whose side differs from the asked size go through what torchvision's
// Resize(size) followed by CenterCrop(size) does to a PIL image:
//
//   - the shorter side becomes size and the longer one int(size*long/short);
//   - the resampling is PIL's bilinear filter with antialiasing: a triangle filter
//     stretched by the scale factor when shrinking, weights normalised per output pixel,
//     computed in float64, then rounded to 22-bit fixed point; horizontal pass first, its
//     rounded uint8 rows feeding the vertical pass (PIL's Resample.c, reimplemented);
//   - the crop starts at round((resized - size)/2) in each axis, Python's round (half to
//     even).
//
// Only the pixels inside the crop are computed; each equals PIL's, so the result is bit
// for bit what PIL gives (checked against fixtures made with Pillow 9.4 in testdata/).

// cropBox returns the resized width and height and the crop's left and top offsets of
// torchvision's Resize(size)+CenterCrop(size) for an inW×inH image.
func cropBox(inW, inH, size int) (rw, rh, left, top int) {
	short, long := inW, inH
	if inH < inW {
		short, long = inH, inW
	}
	newLong := long
	if short != size {
		newLong = int(float64(size*long) / float64(short))
	}
	if inW <= inH {
		rw, rh = size, newLong
	} else {
		rw, rh = newLong, size
	}
	left = int(math.RoundToEven(float64(rw-size) / 2))
	top = int(math.RoundToEven(float64(rh-size) / 2))
	return rw, rh, left, top
}

const precisionBits = 32 - 8 - 2 // PIL's fixed point for 8-bit images

// axis is one axis of a resample from in to out samples, restricted to the outputs
// [from, from+n). An identity axis (in == out) just offsets by from.
type axis struct {
	identity bool
	from     int
	ksize    int
	start    []int // per output: first input sample
	count    []int // per output: number of input samples
	coef     []int // ksize per output: weights in fixed point
}

func newAxis(in, out, from, n int) axis {
	if in == out {
		return axis{identity: true, from: from}
	}
	scale := float64(in) / float64(out)
	filterScale := max(scale, 1)
	support := filterScale // the bilinear filter's support is 1
	ss := 1 / filterScale  // multiplied, not divided, to round as PIL does
	ksize := int(math.Ceil(support))*2 + 1
	a := axis{
		from:  from,
		ksize: ksize,
		start: make([]int, n),
		count: make([]int, n),
		coef:  make([]int, n*ksize),
	}
	w := make([]float64, ksize)
	for j := range n {
		center := float64(from+j) + 0.5
		center *= scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		sum := 0.0
		for x := lo; x < hi; x++ {
			w[x-lo] = triangle((float64(x) - center + 0.5) * ss)
			sum += w[x-lo]
		}
		k := a.coef[j*ksize : (j+1)*ksize]
		for x := range hi - lo {
			if sum != 0 {
				w[x] /= sum
			}
			k[x] = int(0.5 + w[x]*(1<<precisionBits)) // weights are never negative
		}
		a.start[j], a.count[j] = lo, hi-lo
	}
	return a
}

// triangle is the bilinear filter.
func triangle(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

// dot is one output sample: the fixed-point weighted sum of n samples of src taken every
// step bytes from off, rounded and clipped as PIL does.
func dot(src []uint8, off, step int, k []int) uint8 {
	s := 1 << (precisionBits - 1)
	for _, w := range k {
		s += int(src[off]) * w
		off += step
	}
	if s <= 0 {
		return 0
	}
	return uint8(min(s>>precisionBits, 255))
}

// resizer maps one inW×inH plane to a size×size plane (see NOTE [resize like
// torchvision]). It is safe for concurrent use; scratch rows come from a small free list
// so that steady-state use allocates nothing.
type resizer struct {
	inW, inH, size int
	h, v           axis
	row0, row1     int // input rows the vertical pass reads: [row0, row1)
	scratch        chan []uint8
}

func newResizer(inW, inH, size int) *resizer {
	rw, rh, left, top := cropBox(inW, inH, size)
	r := &resizer{
		inW: inW, inH: inH, size: size,
		h: newAxis(inW, rw, left, size),
		v: newAxis(inH, rh, top, size),
	}
	if r.v.identity {
		r.row0, r.row1 = top, top+size
	} else {
		r.row0 = r.v.start[0]
		r.row1 = r.v.start[size-1] + r.v.count[size-1]
	}
	if !r.h.identity && !r.v.identity {
		r.scratch = make(chan []uint8, 64)
	}
	return r
}

// identity reports whether planes pass through unchanged.
func (r *resizer) identity() bool { return r.inW == r.size && r.inH == r.size }

// plane resizes src (inH rows of inW) into dst (size rows of size).
func (r *resizer) plane(src, dst []uint8) {
	n := r.size
	switch {
	case r.h.identity && r.v.identity:
		for y := range n {
			off := (r.v.from+y)*r.inW + r.h.from
			copy(dst[y*n:(y+1)*n], src[off:off+n])
		}
	case r.v.identity:
		r.horizontal(src, dst, r.row0, r.row1)
	case r.h.identity:
		r.vertical(src, r.inW, r.h.from, 0, dst)
	default:
		tmp := r.getScratch()
		r.horizontal(src, tmp, r.row0, r.row1)
		r.vertical(tmp, n, 0, r.row0, dst)
		r.putScratch(tmp)
	}
}

// horizontal resamples rows [y0, y1) of src into consecutive rows of dst.
func (r *resizer) horizontal(src, dst []uint8, y0, y1 int) {
	n, a := r.size, &r.h
	for y := y0; y < y1; y++ {
		out := dst[(y-y0)*n : (y-y0+1)*n]
		for j := range out {
			k := a.coef[j*a.ksize : j*a.ksize+a.count[j]]
			out[j] = dot(src, y*r.inW+a.start[j], 1, k)
		}
	}
}

// vertical resamples columns [x0, x0+size) of src, whose rows are stride bytes apart and
// whose first row is input row y0, into dst.
func (r *resizer) vertical(src []uint8, stride, x0, y0 int, dst []uint8) {
	n, a := r.size, &r.v
	for i := range n {
		k := a.coef[i*a.ksize : i*a.ksize+a.count[i]]
		off := (a.start[i]-y0)*stride + x0
		out := dst[i*n : (i+1)*n]
		for j := range out {
			out[j] = dot(src, off+j, stride, k)
		}
	}
}

func (r *resizer) getScratch() []uint8 {
	select {
	case b := <-r.scratch:
		return b
	default:
		return make([]uint8, r.size*(r.row1-r.row0))
	}
}

func (r *resizer) putScratch(b []uint8) {
	select {
	case r.scratch <- b:
	default:
	}
}
