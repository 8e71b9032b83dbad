package bench

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"slices"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Chart layout, in pixels.
const (
	chartW, chartH = 1000, 620
	plotLeft       = 70
	plotRight      = 260 // room for the legend
	plotTop        = 44
	plotBottom     = 56
)

// chartColors tells the image shape × device lines apart.
var chartColors = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff}, {0x2c, 0xa0, 0x2c, 0xff},
	{0xff, 0x7f, 0x0e, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// chartLine is one shape × device: ours, PyTorch's and torch.compile's img/s by batch.
type chartLine struct {
	label                 string
	ours, torch, compiled [][2]float64 // (batch, img/s)
}

// chartLines groups the measured rows by shape and device, in row order.
func chartLines(rows []Row) []chartLine {
	var lines []chartLine
	index := map[string]int{}
	for _, r := range rows {
		key := r.Shape.String() + " " + r.Device
		i, ok := index[key]
		if !ok {
			i = len(lines)
			index[key] = i
			lines = append(lines, chartLine{label: key})
		}
		l := &lines[i]
		b := float64(r.Batch)
		if v := ImgPerSec(r.Ours, r.Batch); v > 0 {
			l.ours = append(l.ours, [2]float64{b, v})
		}
		if v := ImgPerSec(r.Torch, r.Batch); v > 0 {
			l.torch = append(l.torch, [2]float64{b, v})
		}
		if v := ImgPerSec(r.Compiled, r.Batch); v > 0 {
			l.compiled = append(l.compiled, [2]float64{b, v})
		}
	}
	return slices.DeleteFunc(lines, func(l chartLine) bool {
		return len(l.ours)+len(l.torch)+len(l.compiled) == 0
	})
}

// WriteChart draws img/s against batch (both axes logarithmic): one colour per image shape
// and device, ours solid with dots, PyTorch dashed with squares, torch.compile diamonds.
func (res *Results) WriteChart(path string) error {
	lines := chartLines(res.Rows)
	if len(lines) == 0 {
		return fmt.Errorf("bench: chart %s: no measured rows", path)
	}
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	plot := image.Rect(plotLeft, plotTop, chartW-plotRight, chartH-plotBottom)
	xa, ya := chartAxes(lines)

	c := &canvas{img: img}
	c.axes(plot, xa, ya)
	title := fmt.Sprintf("DCGAN training step: img/s against batch (log-log), %s, %s",
		res.Machine.ID(), res.Machine.Date)
	c.text(title, plotLeft, 24, textColor)
	pt := func(p [2]float64) (float32, float32) {
		x := float64(plot.Min.X) + xa.frac(math.Log2(p[0]))*float64(plot.Dx())
		y := float64(plot.Max.Y) - ya.frac(math.Log10(p[1]))*float64(plot.Dy())
		return float32(x), float32(y)
	}
	for i, l := range lines {
		col := chartColors[i%len(chartColors)]
		c.polyline(l.ours, pt, col, 2.5, 0)
		c.polyline(l.torch, pt, col, 2, 7)
		for _, p := range l.ours {
			x, y := pt(p)
			c.marker(x, y, 4.5, 0, col)
		}
		for _, p := range l.torch {
			x, y := pt(p)
			c.marker(x, y, 4, 1, col)
		}
		for _, p := range l.compiled {
			x, y := pt(p)
			c.marker(x, y, 6, 2, col)
		}
	}
	c.legend(lines, chartW-plotRight+16, plotTop)

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("bench: chart %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("bench: chart: %w", err)
	}
	return nil
}

// logAxis spans [lo, hi] in log units with ticks at the given values.
type logAxis struct {
	lo, hi float64
	ticks  []float64 // values (not logs)
}

func (a logAxis) frac(logv float64) float64 { return (logv - a.lo) / (a.hi - a.lo) }

// chartAxes picks a log2 batch axis with a tick per batch and a log10 img/s axis with
// ticks at 1, 2 and 5 times the powers of ten.
func chartAxes(lines []chartLine) (x, y logAxis) {
	var batches []float64
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, l := range lines {
		for _, s := range [][][2]float64{l.ours, l.torch, l.compiled} {
			for _, p := range s {
				batches = append(batches, p[0])
				ylo, yhi = min(ylo, p[1]), max(yhi, p[1])
			}
		}
	}
	slices.Sort(batches)
	batches = slices.Compact(batches)
	x = logAxis{lo: math.Log2(batches[0]) - 0.25, hi: math.Log2(batches[len(batches)-1]) + 0.25,
		ticks: batches}
	lo, hi := math.Floor(math.Log10(ylo)), math.Ceil(math.Log10(yhi))
	if hi <= lo {
		hi = lo + 1
	}
	y = logAxis{lo: lo, hi: hi}
	for e := lo; e < hi+0.5; e++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, e); math.Log10(v) <= hi+1e-9 {
				y.ticks = append(y.ticks, v)
			}
		}
	}
	return x, y
}

var (
	gridColor  = color.RGBA{0xe4, 0xe4, 0xe4, 0xff}
	frameColor = color.RGBA{0x60, 0x60, 0x60, 0xff}
	textColor  = color.RGBA{0x20, 0x20, 0x20, 0xff}
)

// canvas draws on an image with anti-aliased shapes.
type canvas struct{ img *image.RGBA }

func (c *canvas) fill(r image.Rectangle, col color.RGBA) {
	draw.Draw(c.img, r, image.NewUniform(col), image.Point{}, draw.Over)
}

func (c *canvas) text(s string, x, y int, col color.RGBA) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int { return font.MeasureString(basicfont.Face7x13, s).Ceil() }

// axes draws the grid, the frame, the tick labels and the axis names.
func (c *canvas) axes(r image.Rectangle, xa, ya logAxis) {
	for _, t := range ya.ticks {
		py := r.Max.Y - int(math.Round(ya.frac(math.Log10(t))*float64(r.Dy())))
		c.fill(image.Rect(r.Min.X, py, r.Max.X, py+1), gridColor)
		s := strconv.FormatFloat(t, 'g', -1, 64)
		c.text(s, r.Min.X-8-textWidth(s), py+4, textColor)
	}
	for _, t := range xa.ticks {
		px := r.Min.X + int(math.Round(xa.frac(math.Log2(t))*float64(r.Dx())))
		c.fill(image.Rect(px, r.Min.Y, px+1, r.Max.Y), gridColor)
		s := strconv.FormatFloat(t, 'g', -1, 64)
		c.text(s, px-textWidth(s)/2, r.Max.Y+18, textColor)
	}
	for _, e := range []image.Rectangle{
		image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1),
		image.Rect(r.Min.X, r.Max.Y, r.Max.X, r.Max.Y+1),
		image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y),
		image.Rect(r.Max.X, r.Min.Y, r.Max.X+1, r.Max.Y+1),
	} {
		c.fill(e, frameColor)
	}
	xl := "batch (images per step)"
	c.text(xl, r.Min.X+(r.Dx()-textWidth(xl))/2, r.Max.Y+42, textColor)
	c.text("img/s", 8, r.Min.Y-8, textColor)
}

// polyline strokes the points with width w, dashed with dashes of length dash when
// dash > 0.
func (c *canvas) polyline(pts [][2]float64, pt func([2]float64) (float32, float32),
	col color.RGBA, w, dash float32) {
	for i := 1; i < len(pts); i++ {
		x0, y0 := pt(pts[i-1])
		x1, y1 := pt(pts[i])
		if dash <= 0 {
			c.segment(x0, y0, x1, y1, w, col)
			continue
		}
		l := float32(math.Hypot(float64(x1-x0), float64(y1-y0)))
		for s := float32(0); s < l; s += 2 * dash {
			e := min(s+dash, l)
			c.segment(x0+(x1-x0)*s/l, y0+(y1-y0)*s/l, x0+(x1-x0)*e/l, y0+(y1-y0)*e/l, w, col)
		}
	}
}

// segment fills the rectangle of width w around the segment.
func (c *canvas) segment(x0, y0, x1, y1, w float32, col color.RGBA) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Hypot(float64(dx), float64(dy)))
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	c.polygon(col, [][2]float32{{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny},
		{x0 - nx, y0 - ny}})
}

// marker draws a dot (kind 0), a square (1) or a diamond (2) of radius rad.
func (c *canvas) marker(x, y, rad float32, kind int, col color.RGBA) {
	switch kind {
	case 1:
		c.polygon(col, [][2]float32{{x - rad, y - rad}, {x + rad, y - rad}, {x + rad, y + rad},
			{x - rad, y + rad}})
	case 2:
		c.polygon(col, [][2]float32{{x, y - rad}, {x + rad, y}, {x, y + rad}, {x - rad, y}})
	default:
		var pts [][2]float32
		for i := range 16 {
			a := float64(i) * math.Pi / 8
			pts = append(pts, [2]float32{x + rad*float32(math.Cos(a)),
				y + rad*float32(math.Sin(a))})
		}
		c.polygon(col, pts)
	}
}

func (c *canvas) polygon(col color.RGBA, pts [][2]float32) {
	b := c.img.Bounds()
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	z.MoveTo(pts[0][0], pts[0][1])
	for _, p := range pts[1:] {
		z.LineTo(p[0], p[1])
	}
	z.ClosePath()
	z.Draw(c.img, b, image.NewUniform(col), image.Point{})
}

// legend lists the lines' colours and the three marker styles.
func (c *canvas) legend(lines []chartLine, x, y int) {
	for i, l := range lines {
		col := chartColors[i%len(chartColors)]
		c.segment(float32(x), float32(y+i*20), float32(x+28), float32(y+i*20), 3, col)
		c.text(l.label, x+36, y+i*20+4, textColor)
	}
	y += len(lines)*20 + 16
	gray := frameColor
	c.segment(float32(x), float32(y), float32(x+28), float32(y), 2.5, gray)
	c.marker(float32(x+14), float32(y), 4.5, 0, gray)
	c.text("ours", x+36, y+4, textColor)
	c.polyline([][2]float64{{float64(x), float64(y + 20)}, {float64(x + 28), float64(y + 20)}},
		func(p [2]float64) (float32, float32) { return float32(p[0]), float32(p[1]) },
		gray, 2, 7)
	c.marker(float32(x+14), float32(y+20), 4, 1, gray)
	c.text("PyTorch", x+36, y+24, textColor)
	c.marker(float32(x+14), float32(y+40), 6, 2, gray)
	c.text("PyTorch, torch.compile", x+36, y+44, textColor)
}
