package dcgan

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// smallConfig is a 16×16 DCGAN small enough for tests to take many steps in a second.
func smallConfig(channels int) Config {
	cfg := DefaultConfig()
	cfg.ImageSize, cfg.Channels = 16, channels
	cfg.LatentDim, cfg.GenFeatures, cfg.DiscFeatures = 8, 8, 8
	cfg.BatchSize = 8
	cfg.Seed = 7
	return cfg
}

// squares returns n images of a bright square on a dark background, at random places and
// sides from a quarter to half of the image, drawn from seed.
func squares(cfg Config, n int, seed uint64) *tensor.Dense {
	s, c := cfg.ImageSize, cfg.Channels
	rng := rand.New(rand.NewPCG(seed, 99))
	px := make([]uint8, n*c*s*s)
	for i := 0; i < n; i++ {
		side := s/4 + rng.IntN(s/4+1)
		y0, x0 := rng.IntN(s-side+1), rng.IntN(s-side+1)
		for ch := 0; ch < c; ch++ {
			plane := px[(i*c+ch)*s*s:][:s*s]
			for y := y0; y < y0+side; y++ {
				for x := x0; x < x0+side; x++ {
					plane[y*s+x] = 255
				}
			}
		}
	}
	return tensor.New(tensor.WithShape(n, c, s, s), tensor.WithBacking(px))
}

func newTestCPU(t testing.TB, cfg Config) *CPU {
	t.Helper()
	c, err := NewCPU(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustState(t testing.TB, b Backend) map[string]*tensor.Dense {
	t.Helper()
	s, err := b.State()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameBits fails unless a and b hold the same names with bit-identical values.
func sameBits(t *testing.T, a, b map[string]*tensor.Dense) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("states hold %d and %d tensors", len(a), len(b))
	}
	for name, ta := range a {
		tb, ok := b[name]
		if !ok {
			t.Fatalf("second state lacks %s", name)
		}
		if ta.Dtype() == tensor.Float64 {
			if !slices.Equal(ta.Float64s(), tb.Float64s()) {
				t.Fatalf("%s: %v != %v", name, ta.Float64s(), tb.Float64s())
			}
			continue
		}
		va, vb := ta.Float32s(), tb.Float32s()
		for i := range va {
			if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
				t.Fatalf("%s[%d]: %g != %g", name, i, va[i], vb[i])
			}
		}
	}
}

func TestInitStateFollowsWeightsInit(t *testing.T) {
	cfg := smallConfig(3)
	s, err := InitState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(s), len(stateLayout(cfg))+1; got != want {
		t.Fatalf("%d tensors, want %d", got, want)
	}
	meanStd := func(name string) (float64, float64) {
		v := s[name].Float32s()
		var sum, ss float64
		for _, x := range v {
			sum += float64(x)
		}
		mean := sum / float64(len(v))
		for _, x := range v {
			ss += (float64(x) - mean) * (float64(x) - mean)
		}
		return mean, math.Sqrt(ss / float64(len(v)))
	}
	// netG.main.0.weight has 8·32·16 = 4096 values: the mean is within 4σ/√n of 0.
	if m, sd := meanStd("netG.main.0.weight"); math.Abs(m) > 0.0015 || math.Abs(sd-0.02) > 0.001 {
		t.Errorf("conv-transpose weight mean %g std %g, want N(0, 0.02)", m, sd)
	}
	if m, sd := meanStd("netD.main.3.weight"); math.Abs(m-1) > 0.02 || sd < 0.01 || sd > 0.03 {
		t.Errorf("batch-norm γ mean %g std %g, want N(1, 0.02)", m, sd)
	}
	for name, want := range map[string]float32{
		"netD.main.3.bias": 0, "netG.main.1.running_mean": 0, "netG.main.1.running_var": 1,
		"optG.m.main.0.weight": 0, "optD.v.main.3.weight": 0,
	} {
		for _, v := range s[name].Float32s() {
			if v != want {
				t.Fatalf("%s holds %g, want all %g", name, v, want)
			}
		}
	}
	if step, err := stateStep(s); err != nil || step != 0 {
		t.Errorf("step %d, %v; want 0", step, err)
	}

	// Each tensor has its own stream, and the seed changes them all.
	g0, d0 := s["netG.main.0.weight"].Float32s(), s["netD.main.0.weight"].Float32s()
	if g0[0] == d0[0] && g0[1] == d0[1] {
		t.Error("G's and D's first weights start alike: streams not distinct")
	}
	cfg.Seed++
	s2, _ := InitState(cfg)
	if s2["netG.main.0.weight"].Float32s()[0] == g0[0] {
		t.Error("another seed gave the same weights")
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	if ref.BLASAllocates {
		t.Skipf("%s allocates in every GEMM; the promise holds with OpenBLAS", ref.BLASName())
	}
	cfg := smallConfig(3)
	c := newTestCPU(t, cfg)
	batch := squares(cfg, cfg.BatchSize, 1)
	step := func() {
		if err := c.Step(batch); err != nil {
			t.Fatal(err)
		}
	}
	step() // warm-up
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("a step allocates %g times", a)
	}
}

func TestStepStatsAreConsistent(t *testing.T) {
	cfg := smallConfig(1)
	c := newTestCPU(t, cfg)
	for i := 0; i < 3; i++ {
		if err := c.Step(squares(cfg, cfg.BatchSize, uint64(i))); err != nil {
			t.Fatal(err)
		}
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 3 || st.NonFini {
		t.Errorf("stats %+v, want step 3 and finite", st)
	}
	for _, p := range []float64{st.DReal, st.DFake, st.DFakeG} {
		if !(p > 0 && p < 1) {
			t.Errorf("probability %g outside (0, 1): %+v", p, st)
		}
	}
	// BCE(D(x), 1) ≥ -ln(mean sigmoid) by Jensen, and likewise for the fake terms.
	if st.LossD < -math.Log(st.DReal)-math.Log(1-st.DFake)-1e-9 {
		t.Errorf("loss_D %g below the Jensen bound of D(x) %g, D(G(z)) %g",
			st.LossD, st.DReal, st.DFake)
	}
	if st.LossG < -math.Log(st.DFakeG)-1e-9 {
		t.Errorf("loss_G %g below -ln D(G(z)) %g", st.LossG, -math.Log(st.DFakeG))
	}
}

// TestResumeIsBitIdentical: 6 steps straight equal 3 steps, State, a new backend, Load,
// 3 more steps, in every bit of every tensor.
func TestResumeIsBitIdentical(t *testing.T) {
	cfg := smallConfig(3)
	run := func(b Backend, from, to int) {
		for i := from; i < to; i++ {
			if err := b.Step(squares(cfg, cfg.BatchSize, uint64(i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	straight := newTestCPU(t, cfg)
	run(straight, 0, 6)

	first := newTestCPU(t, cfg)
	run(first, 0, 3)
	mid := mustState(t, first)
	first.Close()
	second := newTestCPU(t, cfg)
	if err := second.Load(mid); err != nil {
		t.Fatal(err)
	}
	run(second, 3, 6)
	sameBits(t, mustState(t, straight), mustState(t, second))

	a, _ := straight.Stats()
	b, _ := second.Stats()
	if a != b {
		t.Errorf("last stats differ: %+v vs %+v", a, b)
	}
}

func TestStateIsACopy(t *testing.T) {
	cfg := smallConfig(1)
	c := newTestCPU(t, cfg)
	s := mustState(t, c)
	s["netG.main.0.weight"].Float32s()[0] = 42
	if mustState(t, c)["netG.main.0.weight"].Float32s()[0] == 42 {
		t.Error("State shares memory with the backend")
	}
	if err := c.Load(s); err != nil {
		t.Fatal(err)
	}
	s["netG.main.0.weight"].Float32s()[0] = 43
	if got := mustState(t, c)["netG.main.0.weight"].Float32s()[0]; got != 42 {
		t.Errorf("Load kept a reference: weight %g, want 42", got)
	}
}

func TestLoadRejectsOtherModels(t *testing.T) {
	cfg := smallConfig(3)
	c := newTestCPU(t, cfg)
	good := mustState(t, c)
	wider := cfg
	wider.DiscFeatures = 16
	widerState, _ := InitState(wider)
	bigger := cfg
	bigger.ImageSize = 32
	biggerState, _ := InitState(bigger)

	edit := func(f func(s map[string]*tensor.Dense)) map[string]*tensor.Dense {
		s := mustState(t, c)
		f(s)
		return s
	}
	cases := []struct {
		name  string
		state map[string]*tensor.Dense
		want  string
	}{
		{"wider D", widerState,
			"tensor netD.main.0.weight has shape [16 3 4 4], this model needs [8 3 4 4]"},
		{"bigger images", biggerState, "tensor netG.main.0.weight has shape [8 32 4 4]"},
		{"missing", edit(func(s map[string]*tensor.Dense) { delete(s, "optD.v.main.3.bias") }),
			"lacks tensor optD.v.main.3.bias [16]"},
		{"extra", edit(func(s map[string]*tensor.Dense) {
			s["netD.main.9.weight"] = s["netD.main.0.weight"]
		}), "tensor netD.main.9.weight is not part of this model"},
		{"float64", edit(func(s map[string]*tensor.Dense) {
			s["netG.main.1.bias"] = tensor.New(tensor.WithShape(16),
				tensor.WithBacking(make([]float64, 16)))
		}), "tensor netG.main.1.bias is float64, this model needs float32"},
		{"no step", edit(func(s map[string]*tensor.Dense) { delete(s, "step") }), "\"step\""},
		{"fractional step", edit(func(s map[string]*tensor.Dense) {
			s["step"] = tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{2.5}))
		}), "not a count"},
	}
	for _, tc := range cases {
		err := c.Load(tc.state)
		if !errors.Is(err, ErrStateMismatch) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrStateMismatch with %q", tc.name, err, tc.want)
		}
	}
	sameBits(t, good, mustState(t, c))

	ok := edit(func(s map[string]*tensor.Dense) {
		s["netG.main.1.num_batches_tracked"] = tensor.New(tensor.WithShape(),
			tensor.WithBacking([]int64{3}))
	})
	if err := c.Load(ok); err != nil {
		t.Errorf("num_batches_tracked refused: %v", err)
	}
}

// TestNonFiniteStepChangesNothing: a NaN weight in D (caught before D's update) and a
// negative Adam moment in D (which makes D's update NaN, caught in G's pass after D was
// updated), and a NaN in G, all end in ErrNonFinite with the state as it was.
func TestNonFiniteStepChangesNothing(t *testing.T) {
	cfg := smallConfig(1)
	cases := []struct {
		name, tensor, net string
		value             float32
	}{
		{"NaN weight in D", "netD.main.2.weight", "loss_D", float32(math.NaN())},
		{"broken Adam moment of D", "optD.v.main.2.weight", "netG", -1},
		// ReLU may turn NaN into 0, so either D's loss or G's gradients catch this one.
		{"NaN batch-norm γ in G", "netG.main.1.weight", "", float32(math.NaN())},
	}
	for _, tc := range cases {
		c := newTestCPU(t, cfg)
		if err := c.Step(squares(cfg, cfg.BatchSize, 1)); err != nil {
			t.Fatal(err)
		}
		s := mustState(t, c)
		for i := range s[tc.tensor].Float32s() {
			s[tc.tensor].Float32s()[i] = tc.value
		}
		if err := c.Load(s); err != nil {
			t.Fatal(err)
		}
		err := c.Step(squares(cfg, cfg.BatchSize, 2))
		if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), tc.net) {
			t.Errorf("%s: got %v, want ErrNonFinite naming %s", tc.name, err, tc.net)
		}
		if st, _ := c.Stats(); !st.NonFini || st.Step != 1 {
			t.Errorf("%s: stats %+v, want NonFini at step 1", tc.name, st)
		}
		sameBits(t, s, mustState(t, c))
	}
}

func TestStepRejectsBadBatches(t *testing.T) {
	cfg := smallConfig(3)
	c := newTestCPU(t, cfg)
	for _, b := range []*tensor.Dense{
		nil,
		squares(smallConfig(1), 4, 1),    // one channel
		squares(cfg, cfg.BatchSize+1, 1), // too many images
		tensor.New(tensor.WithShape(2, 3, 16, 16), // float32
			tensor.WithBacking(make([]float32, 2*3*16*16))),
	} {
		if err := c.Step(b); err == nil {
			t.Errorf("batch %v accepted", b)
		}
	}
	if err := c.Step(squares(cfg, 3, 1)); err != nil {
		t.Errorf("a batch of 3 < BatchSize refused: %v", err)
	}
}

// TestGenerateUsesBatchStatistics: Generate leaves the state alone, runs in chunks of at
// most BatchSize with each chunk's statistics, and gives images in [-1, 1].
func TestGenerateUsesBatchStatistics(t *testing.T) {
	cfg := smallConfig(3)
	c := newTestCPU(t, cfg)
	if err := c.Step(squares(cfg, cfg.BatchSize, 1)); err != nil {
		t.Fatal(err)
	}
	before := mustState(t, c)
	n := 2*cfg.BatchSize + 3
	z := make([]float32, n*cfg.LatentDim)
	for i := range z {
		z[i] = float32(math.Sin(float64(i)))
	}
	all, err := c.Generate(tensor.New(tensor.WithShape(n, cfg.LatentDim), tensor.WithBacking(z)))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, before, mustState(t, c))
	if got := []int(all.Shape()); !slices.Equal(got, []int{n, 3, 16, 16}) {
		t.Fatalf("shape %v", got)
	}
	img := 3 * 16 * 16
	lastZ := z[2*cfg.BatchSize*cfg.LatentDim:]
	last, err := c.Generate(tensor.New(tensor.WithShape(3, cfg.LatentDim, 1, 1),
		tensor.WithBacking(slices.Clone(lastZ))))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Float32s()[2*cfg.BatchSize*img:], last.Float32s()) {
		t.Error("the last chunk differs from generating it alone")
	}
	one, _ := c.Generate(tensor.New(tensor.WithShape(1, cfg.LatentDim),
		tensor.WithBacking(slices.Clone(lastZ[:cfg.LatentDim]))))
	if slices.Equal(one.Float32s(), last.Float32s()[:img]) {
		t.Error("an image came out the same alone as in a batch: not batch statistics")
	}
	for _, v := range all.Float32s() {
		if !(v >= -1 && v <= 1) {
			t.Fatalf("pixel %g outside [-1, 1]", v)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	c, err := NewCPU(smallConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Step(squares(smallConfig(1), 2, 1)); err == nil {
		t.Error("Step after Close succeeded")
	}
}

// pixelStats returns the per-pixel mean and standard deviation over a batch of images.
func pixelStats(imgs []float32, n int) (mean, std []float64) {
	size := len(imgs) / n
	mean, std = make([]float64, size), make([]float64, size)
	for i := 0; i < n; i++ {
		for j, v := range imgs[i*size : (i+1)*size] {
			mean[j] += float64(v) / float64(n)
		}
	}
	for i := 0; i < n; i++ {
		for j, v := range imgs[i*size : (i+1)*size] {
			d := float64(v) - mean[j]
			std[j] += d * d / float64(n)
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j])
	}
	return mean, std
}

// statDistance is the RMS difference of two images' per-pixel means plus that of their
// per-pixel standard deviations.
func statDistance(m1, s1, m2, s2 []float64) float64 {
	var dm, ds float64
	for j := range m1 {
		dm += (m1[j] - m2[j]) * (m1[j] - m2[j])
		ds += (s1[j] - s2[j]) * (s1[j] - s2[j])
	}
	return math.Sqrt(dm/float64(len(m1))) + math.Sqrt(ds/float64(len(s1)))
}

// TestTrainingLearns trains a small DCGAN on bright squares for 200 steps: D must tell real
// from fake (D(x) above D(G(z)) over the last steps), and G's samples must move toward
// the data in their per-pixel mean and spread. The learning rate is 5× the paper's so
// that this shows within a second. (Flipping the sign of G's or of D's gradients, or
// swapping either loss's labels, fails it.)
func TestTrainingLearns(t *testing.T) {
	cfg := smallConfig(1)
	cfg.LatentDim, cfg.BatchSize, cfg.LR = 16, 16, 1e-3
	const steps, last = 200, 30
	c := newTestCPU(t, cfg)

	const nSample = 256
	data := squares(cfg, nSample, 12345)
	dataNorm := make([]float32, data.Size())
	for i, v := range data.Uint8s() {
		dataNorm[i] = float32(v)/127.5 - 1
	}
	dm, ds := pixelStats(dataNorm, nSample)
	z := make([]float32, nSample*cfg.LatentDim)
	for i := range z {
		z[i] = float32(math.Sin(float64(i) * 1.7))
	}
	distance := func() float64 {
		imgs, err := c.Generate(tensor.New(tensor.WithShape(nSample, cfg.LatentDim),
			tensor.WithBacking(z)))
		if err != nil {
			t.Fatal(err)
		}
		gm, gs := pixelStats(imgs.Float32s(), nSample)
		return statDistance(gm, gs, dm, ds)
	}

	d0 := distance()
	var dReal, dFake float64
	for i := 0; i < steps; i++ {
		if err := c.Step(squares(cfg, cfg.BatchSize, uint64(i))); err != nil {
			t.Fatal(err)
		}
		if i >= steps-last {
			st, _ := c.Stats()
			dReal += st.DReal / last
			dFake += st.DFake / last
		}
	}
	d1 := distance()
	t.Logf("over the last %d steps D(x) %.3f, D(G(z)) %.3f; sample distance %.3f → %.3f",
		last, dReal, dFake, d0, d1)
	if !(dReal > dFake+0.2) {
		t.Errorf("D(x) %.3f not above D(G(z)) %.3f: D does not learn", dReal, dFake)
	}
	if !(d1 < 0.75*d0) {
		t.Errorf("samples' statistics moved from %.3f to %.3f from the data's: G does not learn",
			d0, d1)
	}
}
