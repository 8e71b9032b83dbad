package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// syntheticSource computes each image from (seed, split, index): a linear gradient
// between two colours with one to three soft round blobs on top. The images are defined
// on the unit square and sampled at the asked size, so the same index shows the same
// picture at every size. Nothing is held in memory.
type syntheticSource struct {
	name           string
	seed           uint64
	stream         uint64 // 0 for train, 1<<63 for test
	n              int
	size, channels int
}

func newSynthetic(seed uint64, count int, test bool, size, channels int) (Source, error) {
	if count < 0 {
		return nil, fmt.Errorf("%w: synthetic image count must be positive, got %d",
			ErrOptions, count)
	}
	if count == 0 {
		count = 10000
	}
	s := &syntheticSource{seed: seed, n: count, size: size, channels: channels}
	split := "train"
	if test {
		s.stream, split = 1<<63, "test"
	}
	s.name = fmt.Sprintf("synthetic %s (seed %d, %d images)", split, seed, count)
	return s, nil
}

func (s *syntheticSource) Name() string  { return s.name }
func (s *syntheticSource) Len() int      { return s.n }
func (s *syntheticSource) Channels() int { return s.channels }
func (s *syntheticSource) Size() int     { return s.size }

// blob is a soft disk: weight exp(-d²/(2σ²)) toward its colour.
type blob struct {
	cx, cy, inv2s2 float64
	rgb            [3]float64
}

func (s *syntheticSource) Read(i int, dst []uint8) error {
	if err := checkDst(s, i, dst); err != nil {
		return err
	}
	var rng rand.PCG
	rng.Seed(s.seed, s.stream|uint64(i))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*float64(rng.Uint64()>>11)*0x1p-53 }
	color := func() [3]float64 { return [3]float64{u(0, 1), u(0, 1), u(0, 1)} }

	c0, c1 := color(), color()
	theta := u(0, 2*math.Pi)
	dx, dy := math.Cos(theta)*math.Sqrt2/2, math.Sin(theta)*math.Sqrt2/2
	var blobs [3]blob
	nb := 1 + int(u(0, 3))
	for b := range nb {
		sigma := u(0.06, 0.2)
		blobs[b] = blob{cx: u(0.15, 0.85), cy: u(0.15, 0.85), inv2s2: 1 / (2 * sigma * sigma),
			rgb: color()}
	}

	// The blobs are separable, exp(-(dx²+dy²)k) = exp(-dx²k)·exp(-dy²k): tabulate the
	// column factors once (on the stack up to 256 pixels).
	n := s.size
	plane := n * n
	var tab [3][256]float64
	useTab := n <= len(tab[0])
	if useTab {
		for b := range nb {
			for x := range n {
				d := (float64(x)+0.5)/float64(n) - blobs[b].cx
				tab[b][x] = math.Exp(-d * d * blobs[b].inv2s2)
			}
		}
	}
	for y := range n {
		fy := (float64(y) + 0.5) / float64(n)
		var ey [3]float64
		for b := range nb {
			ey[b] = math.Exp(-(fy - blobs[b].cy) * (fy - blobs[b].cy) * blobs[b].inv2s2)
		}
		for x := range n {
			fx := (float64(x) + 0.5) / float64(n)
			t := min(max(0.5+(fx-0.5)*dx+(fy-0.5)*dy, 0), 1)
			var v [3]float64
			for c := range 3 {
				v[c] = c0[c] + (c1[c]-c0[c])*t
			}
			for b := range nb {
				var ex float64
				if useTab {
					ex = tab[b][x]
				} else {
					ex = math.Exp(-(fx - blobs[b].cx) * (fx - blobs[b].cx) * blobs[b].inv2s2)
				}
				a := ex * ey[b]
				for c := range 3 {
					v[c] += a * (blobs[b].rgb[c] - v[c])
				}
			}
			px := y*n + x
			if s.channels == 1 {
				dst[px] = luma(level(v[0]), level(v[1]), level(v[2]))
				continue
			}
			for c := range 3 {
				dst[c*plane+px] = level(v[c])
			}
		}
	}
	return nil
}

// level maps [0, 1] to 0..255, rounding.
func level(v float64) uint8 { return uint8(min(max(v*255+0.5, 0), 255)) }
