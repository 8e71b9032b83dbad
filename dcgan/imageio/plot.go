package imageio

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Series is one line of a panel. Points whose X or Y is NaN or infinite are skipped.
type Series struct {
	Label string
	X, Y  []float64 // the same length
	Color color.NRGBA
}

// Panel is one chart; the panels of a plot are stacked and share the x axis.
type Panel struct {
	Title    string
	Series   []Series
	YLo, YHi float64 // a fixed y range when YLo < YHi; otherwise it fits the data
}

// Layout of a plot, in pixels.
const (
	plotWidth   = 960
	panelHeight = 280
	marginLeft  = 64
	marginRight = 20
	titleHeight = 26 // above each panel
	axisHeight  = 22 // tick labels below each panel
	xLabelSpace = 24 // below the last panel
	smoothAbove = 60 // series longer than this also get a moving average
	clipAbove   = 200
)

// Palette gives well-separated line colours (matplotlib's first four), for callers that do
// not want to pick their own.
var Palette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
}

var (
	gridColor  = color.NRGBA{0xe4, 0xe4, 0xe4, 0xff}
	frameColor = color.NRGBA{0x60, 0x60, 0x60, 0xff}
	textColor  = color.NRGBA{0x20, 0x20, 0x20, 0xff}
)

// SaveLossPlot draws panels stacked over a shared x axis labelled "step" and writes the PNG
// atomically. A series longer than 60 points is drawn twice: faintly as recorded, and
// boldly as a centred moving average over about a fortieth of its length, so the trend
// stays readable through the noise of GAN losses. Automatic y ranges leave out the top
// half percent of values (when there are over 200), so one early spike does not flatten
// the rest.
func SaveLossPlot(path string, panels []Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("imageio: plot %s: no panels", path)
	}
	for _, p := range panels {
		for _, s := range p.Series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("imageio: plot %s: series %q has %d x and %d y values",
					path, s.Label, len(s.X), len(s.Y))
			}
		}
	}
	return writePNG(path, drawPlot(panels, "step"))
}

// drawPlot renders the panels into a new image.
func drawPlot(panels []Panel, xLabel string) *image.NRGBA {
	h := len(panels)*(titleHeight+panelHeight+axisHeight) + xLabelSpace + 8
	img := image.NewNRGBA(image.Rect(0, 0, plotWidth, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)

	xlo, xhi := xRange(panels)
	xa := newAxis(xlo, xhi, 8, true)
	y := 0
	for _, p := range panels {
		r := image.Rect(marginLeft, y+titleHeight, plotWidth-marginRight,
			y+titleHeight+panelHeight)
		drawPanel(img, r, p, xa)
		y += titleHeight + panelHeight + axisHeight
	}
	tw := font.MeasureString(basicfont.Face7x13, xLabel).Ceil()
	drawText(img, xLabel, marginLeft+(plotWidth-marginLeft-marginRight-tw)/2, y+14)
	return img
}

func drawPanel(img *image.NRGBA, r image.Rectangle, p Panel, xa axis) {
	lo, hi := p.YLo, p.YHi
	if !(lo < hi) {
		lo, hi = yRange(p.Series)
	}
	ya := newAxis(lo, hi, 5, false)

	// Grid and tick labels.
	for _, t := range ya.ticks {
		py := r.Max.Y - int(math.Round(ya.frac(t)*float64(r.Dy())))
		fillRect(img, image.Rect(r.Min.X, py, r.Max.X, py+1), gridColor)
		s := ya.label(t)
		drawText(img, s, r.Min.X-8-font.MeasureString(basicfont.Face7x13, s).Ceil(), py+4)
	}
	for _, t := range xa.ticks {
		px := r.Min.X + int(math.Round(xa.frac(t)*float64(r.Dx())))
		fillRect(img, image.Rect(px, r.Min.Y, px+1, r.Max.Y), gridColor)
		s := xa.label(t)
		drawText(img, s, px-font.MeasureString(basicfont.Face7x13, s).Ceil()/2, r.Max.Y+16)
	}
	drawText(img, p.Title, r.Min.X, r.Min.Y-8)

	// Lines, clipped to the frame: every faint raw line first, so none covers a trend.
	for i, s := range p.Series {
		if xs, ys := finitePoints(s); len(xs) > smoothAbove {
			faint := seriesColor(s, i)
			faint.A = 0x48
			drawLine(img, r, xa, ya, xs, ys, 1.2, faint)
		}
	}
	for i, s := range p.Series {
		xs, ys := finitePoints(s)
		if len(xs) > smoothAbove {
			ys = movingAverage(ys, max(3, len(ys)/40))
		}
		drawLine(img, r, xa, ya, xs, ys, 2.2, seriesColor(s, i))
	}

	// Frame and legend on top.
	strokeRect(img, r, frameColor)
	drawLegend(img, r, p.Series)
}

func seriesColor(s Series, i int) color.NRGBA {
	if s.Color.A != 0 {
		return s.Color
	}
	return Palette[i%len(Palette)]
}

// drawLine strokes the polyline (xs, ys) in data coordinates with an anti-aliased line of
// width w pixels, clipped to r.
func drawLine(img *image.NRGBA, r image.Rectangle, xa, ya axis, xs, ys []float64, w float64,
	col color.NRGBA) {
	if len(xs) == 0 {
		return
	}
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	pt := func(i int) (float32, float32) {
		return float32(xa.frac(xs[i]) * float64(r.Dx())),
			float32((1 - ya.frac(ys[i])) * float64(r.Dy()))
	}
	hw := float32(w / 2)
	x0, y0 := pt(0)
	dot(z, x0, y0, hw)
	for i := 1; i < len(xs); i++ {
		x1, y1 := pt(i)
		dx, dy := x1-x0, y1-y0
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if l < 1e-3 {
			continue
		}
		nx, ny := -dy/l*hw, dx/l*hw
		z.MoveTo(x0+nx, y0+ny)
		z.LineTo(x1+nx, y1+ny)
		z.LineTo(x1-nx, y1-ny)
		z.LineTo(x0-nx, y0-ny)
		z.ClosePath()
		dot(z, x1, y1, hw) // fills the notch where two segments meet
		x0, y0 = x1, y1
	}
	z.Draw(img, r, image.NewUniform(col), image.Point{})
}

// dot adds a small octagon of radius rad around (x, y), with the winding of drawLine's quads.
func dot(z *vector.Rasterizer, x, y, rad float32) {
	for k := 0; k < 8; k++ {
		a := -float64(k) * math.Pi / 4
		px, py := x+rad*float32(math.Cos(a)), y+rad*float32(math.Sin(a))
		if k == 0 {
			z.MoveTo(px, py)
		} else {
			z.LineTo(px, py)
		}
	}
	z.ClosePath()
}

func drawLegend(img *image.NRGBA, r image.Rectangle, series []Series) {
	var labels []int
	wmax := 0
	for i, s := range series {
		if s.Label != "" {
			labels = append(labels, i)
			wmax = max(wmax, font.MeasureString(basicfont.Face7x13, s.Label).Ceil())
		}
	}
	if len(labels) == 0 {
		return
	}
	const row, sample = 16, 22
	box := image.Rect(0, 0, 8+sample+6+wmax+8, 6+row*len(labels)+2)
	box = box.Add(image.Pt(r.Max.X-box.Dx()-8, r.Min.Y+8))
	fillRect(img, box, color.NRGBA{0xff, 0xff, 0xff, 0xe8})
	strokeRect(img, box, gridColor)
	for k, i := range labels {
		y := box.Min.Y + 6 + row*k + row/2
		col := seriesColor(series[i], i)
		fillRect(img, image.Rect(box.Min.X+8, y-1, box.Min.X+8+sample, y+1), col)
		drawText(img, series[i].Label, box.Min.X+8+sample+6, y+4)
	}
}

// finitePoints returns the points of s whose coordinates are both finite, sorted by x.
func finitePoints(s Series) (xs, ys []float64) {
	idx := make([]int, 0, len(s.X))
	for i := range s.X {
		if finite(s.X[i]) && finite(s.Y[i]) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case s.X[a] < s.X[b]:
			return -1
		case s.X[a] > s.X[b]:
			return 1
		}
		return 0
	})
	for _, i := range idx {
		xs, ys = append(xs, s.X[i]), append(ys, s.Y[i])
	}
	return xs, ys
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// movingAverage returns the centred mean over a window of w points (shrunk at the ends).
func movingAverage(y []float64, w int) []float64 {
	half := w / 2
	prefix := make([]float64, len(y)+1)
	for i, v := range y {
		prefix[i+1] = prefix[i] + v
	}
	out := make([]float64, len(y))
	for i := range y {
		a, b := max(0, i-half), min(len(y), i+half+1)
		out[i] = (prefix[b] - prefix[a]) / float64(b-a)
	}
	return out
}

// xRange spans every finite x of every panel.
func xRange(panels []Panel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		for _, s := range p.Series {
			xs, _ := finitePoints(s)
			for _, x := range xs {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	return lo, hi
}

// yRange spans the finite y values of the series from their minimum to their maximum, or
// to their 99.5th percentile when there are more than clipAbove of them.
func yRange(series []Series) (lo, hi float64) {
	var ys []float64
	for _, s := range series {
		_, y := finitePoints(s)
		ys = append(ys, y...)
	}
	if len(ys) == 0 {
		return math.Inf(1), math.Inf(-1)
	}
	slices.Sort(ys)
	if len(ys) <= clipAbove {
		return ys[0], ys[len(ys)-1]
	}
	return ys[0], ys[(len(ys)-1)*995/1000]
}

// axis maps data values to [0, 1] along one side of a panel and holds its ticks.
type axis struct {
	lo, hi float64
	ticks  []float64
	step   float64
	ints   bool // x axis: label steps as integers
}

// newAxis picks about n round ticks covering [lo, hi] and widens the range to them. An
// empty or degenerate range becomes [0, 1] or a unit around the single value.
func newAxis(lo, hi float64, n int, ints bool) axis {
	switch {
	case !finite(lo) || !finite(hi) || lo > hi:
		lo, hi = 0, 1
	case lo == hi:
		lo, hi = lo-0.5, hi+0.5
	}
	step := niceStep((hi - lo) / float64(n))
	if ints {
		step = math.Max(step, 1)
	}
	a := axis{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step, step: step,
		ints: ints}
	for t := a.lo; t <= a.hi+step/2; t += step {
		a.ticks = append(a.ticks, math.Round(t/step)*step)
	}
	return a
}

// niceStep rounds a raw tick spacing up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func (a axis) frac(v float64) float64 { return (v - a.lo) / (a.hi - a.lo) }

func (a axis) label(v float64) string {
	if a.ints && math.Abs(v) >= 10000 && math.Mod(v, 1000) == 0 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	}
	if a.ints {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	prec := max(0, -int(math.Floor(math.Log10(a.step))))
	return strconv.FormatFloat(v, 'f', prec, 64)
}

func fillRect(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Over)
}

func strokeRect(img *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), c)
	fillRect(img, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), c)
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), c)
	fillRect(img, image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// drawText writes s with its baseline at y, starting at x.
func drawText(img *image.NRGBA, s string, x, y int) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(textColor), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y)}
	d.DrawString(s)
}
