package cuda

import (
	"errors"
	"strings"
	"testing"
)

func TestConvGeomOutput(t *testing.T) {
	cases := []struct {
		g    ConvGeom
		p, q int
	}{
		// DCGAN's D: k4 s2 p1 halves the side; the last conv k4 s1 p0 takes 4x4 to 1x1.
		{ConvGeom{N: 64, C: 3, H: 64, W: 64, K: 64, R: 4, S: 4, Pad: 1, Stride: 2}, 32, 32},
		{ConvGeom{N: 64, C: 512, H: 4, W: 4, K: 1, R: 4, S: 4, Pad: 0, Stride: 1}, 1, 1},
		// 3x3 same padding keeps the size; an odd side floors: (7+2-3)/2+1 = 4.
		{ConvGeom{N: 1, C: 1, H: 5, W: 5, K: 1, R: 3, S: 3, Pad: 1, Stride: 1}, 5, 5},
		{ConvGeom{N: 1, C: 1, H: 7, W: 6, K: 1, R: 3, S: 3, Pad: 1, Stride: 2}, 4, 3},
	}
	for _, c := range cases {
		if err := c.g.Validate(); err != nil {
			t.Errorf("%v: %v", c.g, err)
		}
		if c.g.P() != c.p || c.g.Q() != c.q {
			t.Errorf("%v: got %dx%d, want %dx%d", c.g, c.g.P(), c.g.Q(), c.p, c.q)
		}
	}
}

func TestConvGeomValidate(t *testing.T) {
	ok := ConvGeom{N: 2, C: 3, H: 8, W: 8, K: 4, R: 4, S: 4, Pad: 1, Stride: 2}
	bad := map[string]func(*ConvGeom){
		"zero batch":     func(g *ConvGeom) { g.N = 0 },
		"zero filters":   func(g *ConvGeom) { g.K = 0 },
		"zero stride":    func(g *ConvGeom) { g.Stride = 0 },
		"negative pad":   func(g *ConvGeom) { g.Pad = -1 },
		"filter too big": func(g *ConvGeom) { g.H, g.W, g.Pad = 2, 2, 0 },
	}
	for name, f := range bad {
		g := ok
		f(&g)
		if err := g.Validate(); !errors.Is(err, ErrArgs) {
			t.Errorf("%s: got %v, want ErrArgs", name, err)
		}
	}
}

func TestTransposedConvGeom(t *testing.T) {
	// DCGAN's G: nz=100 → 512 at 4x4 (k4 s1 p0 from 1x1), then 4x4 → 8x8 (k4 s2 p1).
	g, err := TransposedConvGeom(64, 100, 512, 1, 1, 4, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := ConvGeom{N: 64, C: 512, H: 4, W: 4, K: 100, R: 4, S: 4, Pad: 0, Stride: 1}
	if g != want {
		t.Errorf("first layer: got %+v, want %+v", g, want)
	}
	g, err = TransposedConvGeom(64, 512, 256, 4, 4, 4, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if g.H != 8 || g.W != 8 || g.C != 256 || g.K != 512 || g.P() != 4 || g.Q() != 4 {
		t.Errorf("stride-2 layer: got %+v (P=%d Q=%d)", g, g.P(), g.Q())
	}
	// k3 s2 p1 from 4x4 gives 7x7, whose convolution gives back 4x4. A pad so large that the
	// output side would be negative is refused.
	if _, err := TransposedConvGeom(1, 2, 2, 4, 4, 3, 2, 1); err != nil {
		t.Errorf("k3 s2 p1: %v", err)
	}
	if _, err := TransposedConvGeom(1, 2, 2, 2, 2, 1, 1, 2); !errors.Is(err, ErrArgs) {
		t.Errorf("pad beyond the kernel: got %v, want ErrArgs", err)
	}
}

func TestPickAlgo(t *testing.T) {
	perfs := []AlgoPerf{
		{Algo: 7, Status: 3000}, // not supported
		{Algo: 1, Time: 0.1, Memory: 1 << 30, Deterministic: true}, // too much workspace
		{Algo: 2, Time: 0.2, Memory: 1 << 20},                      // not deterministic
		{Algo: 0, Time: 0.5, Memory: 0, Deterministic: true},
	}
	cases := []struct {
		pol  AlgoPolicy
		want int
	}{
		{AlgoPolicy{}, 1},
		{AlgoPolicy{WorkspaceLimit: 64 << 20}, 2},
		{AlgoPolicy{WorkspaceLimit: 64 << 20, Deterministic: true}, 0},
		{AlgoPolicy{Deterministic: true}, 1},
	}
	for _, c := range cases {
		got, err := PickAlgo(ConvFwd, perfs, c.pol)
		if err != nil || got.Algo != c.want {
			t.Errorf("%+v: got algo %d (%v), want %d", c.pol, got.Algo, err, c.want)
		}
	}

	_, err := PickAlgo(ConvBwdFilter, perfs[:3], AlgoPolicy{Deterministic: true, WorkspaceLimit: 1})
	if !errors.Is(err, ErrNoAlgorithm) {
		t.Fatalf("got %v, want ErrNoAlgorithm", err)
	}
	for _, s := range []string{"backward-filter", "algo 7: status 3000", "algo 2: not deterministic",
		"algo 1: workspace"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if _, err := PickAlgo(ConvFwd, nil, AlgoPolicy{}); !errors.Is(err, ErrNoAlgorithm) {
		t.Errorf("no candidates: got %v", err)
	}
}

func TestWorkspacePlan(t *testing.T) {
	var w WorkspacePlan
	if w.Bytes != 0 {
		t.Fatal("empty plan needs no workspace")
	}
	w.Need("D conv 1 forward", 1000)
	w.Need("G convT 2 backward-data", 70000)
	w.Need("D conv 3 backward-filter", 300)
	if w.Bytes != 70144 || w.Largest != "G convT 2 backward-data" { // 70000 rounded up to 256
		t.Errorf("got %d bytes for %q", w.Bytes, w.Largest)
	}
	w.Need("exact", 70144)
	if w.Largest != "G convT 2 backward-data" {
		t.Errorf("a tie must keep the first, got %q", w.Largest)
	}
}
