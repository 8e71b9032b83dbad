package ref

import "fmt"

// colBudget bounds the im2col matrix of one GEMM, in float32s (4 MiB). Small images are
// batched until their columns fill it, which keeps the GEMMs wide enough for OpenBLAS to
// run near peak; large images go one per GEMM. A bound of a few MiB lets the matrix stay
// in the last-level cache between im2col writing it and the GEMM reading it, and keeps a
// layer's scratch small. (1, 4 and 16 MiB timed alike at DCGAN's shapes, within the noise
// of a shared machine.) A variable so that tests can force groups.
var colBudget = 1 << 20

// parallelMin is the number of elements below which a copy loop stays on one goroutine:
// under it, starting the second one costs more than it saves.
const parallelMin = 1 << 15

// convCore is what Conv2D and ConvTranspose2D share: the geometry of a convolution from an
// image side [N, C, H, W] to a column side [N, Cc, OH, OW], the im2col matrix of a group of
// images, and a GEMM-layout scratch for the column side.
//
// The column side of a group of g images is held channel-major, [Cc, g·OH·OW] ("CNHW"),
// so that one GEMM covers all g images; gather and scatter convert it from and to NCHW.
type convCore struct {
	maxN, c, h, w, cc, k, s, p, oh, ow int

	group  int       // images per GEMM
	col    []float32 // [c·k·k, group·oh·ow]
	side   []float32 // [cc, group·oh·ow]
	img    []float32 // image-side tensor of the current call (NCHW)
	cols   []float32 // column-side tensor of the current call (NCHW)
	i0, gn int       // current group: first image, count

	im2colFork, col2imFork, gatherFork, scatterFork *fork
}

// newConvCore checks the geometry and allocates the scratch for maxN images.
func newConvCore(maxN, c, h, w, cc, k, s, p int) *convCore {
	if maxN < 1 || c < 1 || cc < 1 || k < 1 || s < 1 || p < 0 {
		panic(fmt.Sprintf("ref: bad convolution N=%d C=%d→%d k=%d s=%d p=%d",
			maxN, c, cc, k, s, p))
	}
	oh, ow := (h+2*p-k)/s+1, (w+2*p-k)/s+1
	if h+2*p < k || w+2*p < k {
		panic(fmt.Sprintf("ref: convolution k=%d p=%d does not fit %d×%d", k, p, h, w))
	}
	cv := &convCore{maxN: maxN, c: c, h: h, w: w, cc: cc, k: k, s: s, p: p, oh: oh, ow: ow}
	cv.group = max(1, min(maxN, colBudget/(c*k*k*oh*ow)))
	if cv.isDense() {
		return cv // no scratch: see dense.go
	}
	cv.col = make([]float32, c*k*k*cv.group*oh*ow)
	if cv.group > 1 {
		cv.side = make([]float32, cc*cv.group*oh*ow)
	}
	cv.im2colFork = newFork(cv.im2colRows)
	cv.col2imFork = newFork(cv.col2imPlanes)
	cv.gatherFork = newFork(cv.gatherChannels)
	cv.scatterFork = newFork(cv.scatterChannels)
	return cv
}

// ld is the row length of the group's matrices.
func (cv *convCore) ld() int { return cv.gn * cv.oh * cv.ow }

// setGroup makes images [i0, i0+gn) the current group.
func (cv *convCore) setGroup(i0, gn int) { cv.i0, cv.gn = i0, gn }

// colSide returns the column side of the current group as a [cc, ld] matrix: the NCHW
// tensor itself when the group is one image, else the scratch.
func (cv *convCore) colSide(t []float32) []float32 {
	if cv.gn == 1 {
		n := cv.cc * cv.oh * cv.ow
		return t[cv.i0*n : (cv.i0+1)*n]
	}
	return cv.side[:cv.cc*cv.ld()]
}

// im2col fills col from the image-side tensor img for the current group.
func (cv *convCore) im2col(img []float32) {
	cv.img = img
	cv.im2colFork.run(cv.c*cv.k*cv.k, len(cv.col) >= parallelMin)
}

// col2im sums col into the image-side tensor img for the current group, overwriting it.
func (cv *convCore) col2im(img []float32) {
	cv.img = img
	cv.col2imFork.run(cv.c*cv.gn, len(cv.col) >= parallelMin)
}

// gather copies the current group of the NCHW column-side tensor t into the scratch.
func (cv *convCore) gather(t []float32) {
	if cv.gn > 1 {
		cv.cols = t
		cv.gatherFork.run(cv.cc, cv.cc*cv.ld() >= parallelMin)
	}
}

// scatter copies the scratch into the current group of the NCHW column-side tensor t.
func (cv *convCore) scatter(t []float32) {
	if cv.gn > 1 {
		cv.cols = t
		cv.scatterFork.run(cv.cc, cv.cc*cv.ld() >= parallelMin)
	}
}

func (cv *convCore) gatherChannels(lo, hi int)  { cv.copySide(lo, hi, false) }
func (cv *convCore) scatterChannels(lo, hi int) { cv.copySide(lo, hi, true) }

// copySide moves channels [lo, hi) between the NCHW tensor and the CNHW scratch.
func (cv *convCore) copySide(lo, hi int, toNCHW bool) {
	hw, ld := cv.oh*cv.ow, cv.ld()
	for c := lo; c < hi; c++ {
		for j := 0; j < cv.gn; j++ {
			t := cv.cols[((cv.i0+j)*cv.cc+c)*hw:][:hw]
			s := cv.side[c*ld+j*hw:][:hw]
			if toNCHW {
				copy(t, s)
			} else {
				copy(s, t)
			}
		}
	}
}

// span returns the outputs [lo, hi) along one axis of length n whose input index
// o·s − p + kk lies inside the image, for kernel offset kk.
func span(n, out, s, p, kk int) (lo, hi int) {
	if d := p - kk; d > 0 {
		lo = (d + s - 1) / s
	}
	if e := n - 1 + p - kk; e >= 0 {
		hi = min(out, e/s+1)
	}
	return lo, max(lo, min(hi, out))
}

// im2colRows writes rows [lo, hi) of col. Row r = (c·k + ki)·k + kj, column
// j·oh·ow + oy·ow + ox holds img[i0+j, c, oy·s−p+ki, ox·s−p+kj], or 0 where that falls in
// the padding.
func (cv *convCore) im2colRows(lo, hi int) {
	hw, ohw, ld := cv.h*cv.w, cv.oh*cv.ow, cv.ld()
	for r := lo; r < hi; r++ {
		c, ki, kj := r/(cv.k*cv.k), r/cv.k%cv.k, r%cv.k
		y0, y1 := span(cv.h, cv.oh, cv.s, cv.p, ki)
		x0, x1 := span(cv.w, cv.ow, cv.s, cv.p, kj)
		row := cv.col[r*ld:][:ld]
		for j := 0; j < cv.gn; j++ {
			src := cv.img[((cv.i0+j)*cv.c+c)*hw:][:hw]
			cv.im2colPlane(row[j*ohw:][:ohw], src, ki, kj, y0, y1, x0, x1)
		}
	}
}

// im2colPlane fills one image's part of one col row; [y0, y1)×[x0, x1) is the part of
// the output grid that reads inside the image.
func (cv *convCore) im2colPlane(dst, src []float32, ki, kj, y0, y1, x0, x1 int) {
	ow, s := cv.ow, cv.s
	clear(dst[:y0*ow])
	clear(dst[y1*ow:])
	for oy := y0; oy < y1; oy++ {
		d := dst[oy*ow : (oy+1)*ow]
		for o := 0; o < x0; o++ {
			d[o] = 0
		}
		for o := x1; o < len(d); o++ {
			d[o] = 0
		}
		in := src[(oy*s-cv.p+ki)*cv.w+x0*s-cv.p+kj:]
		// Both bounds in the loop condition let the compiler drop the bounds checks.
		d = d[x0:x1]
		for o, i := 0, 0; o < len(d) && i < len(in); o, i = o+1, i+s {
			d[o] = in[i]
		}
	}
}

// col2imPlanes is the adjoint of im2colRows for image planes [lo, hi) of the current
// group, plane u being channel u/gn of image u%gn: it overwrites each with the sum of
// every col entry that reads it.
func (cv *convCore) col2imPlanes(lo, hi int) {
	hw, ohw, ld := cv.h*cv.w, cv.oh*cv.ow, cv.ld()
	for u := lo; u < hi; u++ {
		c, j := u/cv.gn, u%cv.gn
		dst := cv.img[((cv.i0+j)*cv.c+c)*hw:][:hw]
		clear(dst)
		for ki := 0; ki < cv.k; ki++ {
			y0, y1 := span(cv.h, cv.oh, cv.s, cv.p, ki)
			for kj := 0; kj < cv.k; kj++ {
				x0, x1 := span(cv.w, cv.ow, cv.s, cv.p, kj)
				row := cv.col[((c*cv.k+ki)*cv.k+kj)*ld:][:ld]
				cv.col2imPlane(dst, row[j*ohw:][:ohw], ki, kj, y0, y1, x0, x1)
			}
		}
	}
}

// col2imPlane adds one image's part of one col row into its image plane.
func (cv *convCore) col2imPlane(dst, src []float32, ki, kj, y0, y1, x0, x1 int) {
	ow, s := cv.ow, cv.s
	for oy := y0; oy < y1; oy++ {
		in := src[oy*ow+x0 : oy*ow+x1]
		d := dst[(oy*s-cv.p+ki)*cv.w+x0*s-cv.p+kj:]
		for o, i := 0, 0; o < len(in) && i < len(d); o, i = o+1, i+s {
			d[i] += in[o]
		}
	}
}
