package imageio

import (
	"image/color"
	"math"
	"path/filepath"
	"testing"
)

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ raw, want float64 }{
		{0.13, 0.2}, {1, 1}, {1.01, 2}, {3, 5}, {7, 10}, {420, 500}, {0, 1}, {-1, 1},
	} {
		if got := niceStep(c.raw); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("niceStep(%g) = %g, want %g", c.raw, got, c.want)
		}
	}
}

func TestAxisCoversRange(t *testing.T) {
	for _, c := range [][2]float64{{0.3, 7.9}, {-2, 3}, {5, 5}, {1, 3001}, {math.NaN(), 1}} {
		a := newAxis(c[0], c[1], 5, false)
		if len(a.ticks) < 2 || a.ticks[0] != a.lo || a.ticks[len(a.ticks)-1] != a.hi {
			t.Errorf("%v: ticks %v do not run from lo %g to hi %g", c, a.ticks, a.lo, a.hi)
		}
		if finite(c[0]) && (a.lo > c[0] || a.hi < c[1]) {
			t.Errorf("%v: axis [%g, %g] does not cover the data", c, a.lo, a.hi)
		}
	}
	if l := newAxis(0, 30000, 8, true).label(20000); l != "20k" {
		t.Errorf("label of step 20000 = %q, want 20k", l)
	}
}

func TestMovingAverage(t *testing.T) {
	got := movingAverage([]float64{1, 2, 3, 4, 5}, 3)
	want := []float64{1.5, 2, 3, 4, 4.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("movingAverage = %v, want %v", got, want)
		}
	}
}

// TestLossPlotDrawsSeries checks that each series' colour shows up inside its own panel and
// that points outside a fixed range and non-finite points do not break the drawing.
func TestLossPlotDrawsSeries(t *testing.T) {
	n := 500
	x := make([]float64, n)
	up, down, prob := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
		up[i] = 0.5 + float64(i)/100 + 0.3*math.Sin(float64(i))
		down[i] = 6 - float64(i)/100
		prob[i] = 0.5 + 0.7*math.Sin(float64(i)/40) // leaves [0, 1] on purpose
	}
	up[7], down[9] = math.NaN(), math.Inf(1)
	red := color.NRGBA{0xff, 0, 0, 0xff}
	green := color.NRGBA{0, 0xc0, 0, 0xff}
	blue := color.NRGBA{0, 0, 0xff, 0xff}
	panels := []Panel{
		{Title: "loss", Series: []Series{
			{Label: "up", X: x, Y: up, Color: red},
			{Label: "down", X: x, Y: down, Color: green},
		}},
		{Title: "prob", YLo: 0, YHi: 1, Series: []Series{{Label: "p", X: x, Y: prob, Color: blue}}},
	}
	path := filepath.Join(t.TempDir(), "loss.png")
	if err := SaveLossPlot(path, panels); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, path)
	b := img.Bounds()
	if b.Dx() != plotWidth || b.Dy() != 2*(titleHeight+panelHeight+axisHeight)+xLabelSpace+8 {
		t.Fatalf("size %v", b)
	}
	count := func(c color.NRGBA, y0, y1 int) int {
		k := 0
		for y := y0; y < y1; y++ {
			for x := 0; x < b.Dx(); x++ {
				r, g, bb, _ := img.At(x, y).RGBA()
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bb>>8) == c.B {
					k++
				}
			}
		}
		return k
	}
	split := titleHeight + panelHeight + axisHeight
	for _, c := range []struct {
		name       string
		col        color.NRGBA
		top, other int // pixels expected in the top panel / in the bottom one
	}{
		{"up", red, 1, 0}, {"down", green, 1, 0}, {"p", blue, 0, 1},
	} {
		top, bottom := count(c.col, 0, split), count(c.col, split, b.Dy())
		if (top > 100) != (c.top == 1) || (bottom > 100) != (c.other == 1) {
			t.Errorf("%s: %d pixels in the top panel, %d in the bottom one", c.name, top, bottom)
		}
	}
}

func TestLossPlotRejects(t *testing.T) {
	dir := t.TempDir()
	if err := SaveLossPlot(filepath.Join(dir, "a.png"), nil); err == nil {
		t.Error("no panels accepted")
	}
	bad := []Panel{{Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}}}
	if err := SaveLossPlot(filepath.Join(dir, "b.png"), bad); err == nil {
		t.Error("series of unequal lengths accepted")
	}
	empty := []Panel{{Title: "nothing yet"}}
	if err := SaveLossPlot(filepath.Join(dir, "c.png"), empty); err != nil {
		t.Errorf("an empty panel: %v", err)
	}
}
