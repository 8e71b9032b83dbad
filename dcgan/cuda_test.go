//go:build cuda

package dcgan

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// These tests need a GPU; CI only compiles and links them (see package cuda).
//
// Tolerances of the GPU-against-CPU comparisons, FP32 convolutions (no TF32) with
// deterministic algorithms. Both sides compute in float32 but sum in different orders
// (cuDNN's kernels against OpenBLAS GEMMs; cuDNN's batch-norm reductions against float64
// sums), so one step's losses differ by float32 rounding of sums of a few hundred terms:
// observed on the CPU-against-PyTorch parity at ≤ 1.5e-7, bound here 1e-5 for the first
// steps. The weights after a few steps differ by lr-scaled gradient differences: bound 1e-6
// absolute plus 1e-4 relative, which also covers Adam's moments (which are gradients, and
// gradients of a near-zero mean) of the small test model.
const (
	gpuLossTol     = 1e-5
	gpuWeightAbs   = 1e-6
	gpuWeightRel   = 1e-4
	gpuMomentScale = 1e-3 // moments: |Δ| ≤ this · max |cpu value| of the tensor
)

func newTestCUDA(t testing.TB, cfg Config) Backend {
	t.Helper()
	cuda.SetSyncAfterLaunch(true)
	b, err := NewCUDA(cfg, CUDAOptions{Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func TestCUDAStepsMatchCPU(t *testing.T) {
	for _, channels := range []int{1, 3} {
		cfg := smallConfig(channels)
		g, c := newTestCUDA(t, cfg), newTestCPU(t, cfg)
		for step := 0; step < 5; step++ {
			batch := squares(cfg, cfg.BatchSize, uint64(step))
			if err := g.Step(batch); err != nil {
				t.Fatal(err)
			}
			if err := c.Step(batch); err != nil {
				t.Fatal(err)
			}
			gs, _ := g.Stats()
			cs, _ := c.Stats()
			for _, v := range [][3]any{
				{"loss_D", gs.LossD, cs.LossD}, {"loss_G", gs.LossG, cs.LossG},
				{"D(x)", gs.DReal, cs.DReal}, {"D(G(z)) before", gs.DFake, cs.DFake},
				{"D(G(z)) after", gs.DFakeG, cs.DFakeG},
			} {
				if d := math.Abs(v[1].(float64) - v[2].(float64)); d > gpuLossTol {
					t.Errorf("channels %d step %d %s: gpu %v cpu %v", channels, step+1, v[0],
						v[1], v[2])
				}
			}
			if gs.Step != cs.Step || gs.NonFini {
				t.Errorf("step %d: gpu stats %+v", step+1, gs)
			}
		}
		compareStates(t, mustState(t, g), mustState(t, c))
	}
}

// stepBoth takes one step on each backend with the same batch.
func stepBoth(t *testing.T, g, c Backend, batch *tensor.Dense) {
	t.Helper()
	if err := g.Step(batch); err != nil {
		t.Fatal(err)
	}
	if err := c.Step(batch); err != nil {
		t.Fatal(err)
	}
}

// compareStates checks every tensor of the GPU state against the CPU's.
func compareStates(t *testing.T, gpu, cpu map[string]*tensor.Dense) {
	t.Helper()
	if len(gpu) != len(cpu) {
		t.Fatalf("gpu state has %d tensors, cpu %d", len(gpu), len(cpu))
	}
	for name, ct := range cpu {
		gt, ok := gpu[name]
		if !ok {
			t.Errorf("gpu state lacks %s", name)
			continue
		}
		if name == "step" {
			if gt.Float64s()[0] != ct.Float64s()[0] {
				t.Errorf("step: gpu %v cpu %v", gt.Data(), ct.Data())
			}
			continue
		}
		cv, gv := ct.Float32s(), gt.Float32s()
		moment := len(name) > 4 && name[:3] == "opt"
		var scale float64
		for _, v := range cv {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		for i := range cv {
			d := math.Abs(float64(gv[i]) - float64(cv[i]))
			tol := gpuWeightAbs + gpuWeightRel*math.Abs(float64(cv[i]))
			if moment {
				tol = gpuMomentScale * scale
			}
			if d > tol {
				t.Errorf("%s[%d]: gpu %v cpu %v", name, i, gv[i], cv[i])
				break
			}
		}
	}
}

func TestCUDAStepAllocatesNothing(t *testing.T) {
	cfg := smallConfig(3)
	b := newTestCUDA(t, cfg)
	cuda.SetSyncAfterLaunch(false)
	defer cuda.SetSyncAfterLaunch(true)
	batch := squares(cfg, cfg.BatchSize, 1)
	if err := b.Step(batch); err != nil { // the first step may build nothing more, but warm up
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if err := b.Step(batch); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Step allocates %v times", allocs)
	}
}

func TestCUDACheckpointCrossesDevices(t *testing.T) {
	cfg := smallConfig(1)
	g, c := newTestCUDA(t, cfg), newTestCPU(t, cfg)
	if err := g.Step(squares(cfg, cfg.BatchSize, 3)); err != nil {
		t.Fatal(err)
	}
	// GPU → CPU → GPU: the state survives bit for bit both ways.
	gs := mustState(t, g)
	if err := c.Load(gs); err != nil {
		t.Fatal(err)
	}
	sameBits(t, gs, mustState(t, c))
	if err := g.Load(mustState(t, c)); err != nil {
		t.Fatal(err)
	}
	sameBits(t, gs, mustState(t, g))
}

func TestCUDAShortBatchAndGenerate(t *testing.T) {
	cfg := smallConfig(3)
	g, c := newTestCUDA(t, cfg), newTestCPU(t, cfg)
	short := squares(cfg, cfg.BatchSize-3, 5) // new descriptors for N-3 on first use
	if err := g.Step(short); err != nil {
		t.Fatal(err)
	}
	if err := c.Step(short); err != nil {
		t.Fatal(err)
	}
	gs, _ := g.Stats()
	cs, _ := c.Stats()
	if math.Abs(gs.LossD-cs.LossD) > gpuLossTol {
		t.Errorf("short batch loss_D: gpu %v cpu %v", gs.LossD, cs.LossD)
	}

	z := make([]float32, (cfg.BatchSize+2)*cfg.LatentDim) // two chunks
	for i := range z {
		z[i] = float32(math.Sin(float64(i)))
	}
	zt := tensor.New(tensor.WithShape(cfg.BatchSize+2, cfg.LatentDim), tensor.WithBacking(z))
	gi, err := g.Generate(zt)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := c.Generate(zt)
	if err != nil {
		t.Fatal(err)
	}
	gv, cv := gi.Float32s(), ci.Float32s()
	for i := range cv {
		if d := math.Abs(float64(gv[i] - cv[i])); d > 1e-4 {
			t.Fatalf("image value %d: gpu %v cpu %v", i, gv[i], cv[i])
		}
	}
}

// TestCUDATrajectoryFollowsCPU runs 200 steps on both backends. The GAN's dynamics amplify
// rounding differences, so only the first steps are held to gpuLossTol; after that the
// losses must stay finite and, averaged over the run, within 5% of the CPU's.
func TestCUDATrajectoryFollowsCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("200 steps on the CPU take a while")
	}
	cfg := smallConfig(1)
	g, c := newTestCUDA(t, cfg), newTestCPU(t, cfg)
	cuda.SetSyncAfterLaunch(false)
	defer cuda.SetSyncAfterLaunch(true)
	var sumG, sumC float64
	for step := 0; step < 200; step++ {
		stepBoth(t, g, c, squares(cfg, cfg.BatchSize, uint64(step)))
		gs, _ := g.Stats()
		cs, _ := c.Stats()
		if gs.NonFini || !isFinite(gs.LossD) || !isFinite(gs.LossG) {
			t.Fatalf("step %d: gpu %+v", step+1, gs)
		}
		if step < 10 && math.Abs(gs.LossD-cs.LossD) > 10*gpuLossTol {
			t.Errorf("step %d loss_D: gpu %v cpu %v", step+1, gs.LossD, cs.LossD)
		}
		sumG += gs.LossD + gs.LossG
		sumC += cs.LossD + cs.LossG
	}
	if math.Abs(sumG-sumC) > 0.05*math.Abs(sumC) {
		t.Errorf("mean loss over 200 steps: gpu %v cpu %v", sumG/200, sumC/200)
	}
}

// TestCUDAQueuedStepsMatchCPU queues steps without reading their numbers in between, so the
// host runs ahead of the device and each upload of the next batch overlaps the step before:
// the state must still be the one the CPU reaches on the same batches.
func TestCUDAQueuedStepsMatchCPU(t *testing.T) {
	cfg := smallConfig(3)
	g, c := newTestCUDA(t, cfg), newTestCPU(t, cfg)
	cuda.SetSyncAfterLaunch(false)
	defer cuda.SetSyncAfterLaunch(true)
	const steps = 6
	for step := 0; step < steps; step++ {
		stepBoth(t, g, c, squares(cfg, cfg.BatchSize, uint64(100+step)))
	}
	gs, _ := g.Stats()
	cs, _ := c.Stats()
	if gs.Step != steps || math.Abs(gs.LossD-cs.LossD) > 10*gpuLossTol {
		t.Errorf("after %d queued steps: gpu %+v, cpu %+v", steps, gs, cs)
	}
	compareStates(t, mustState(t, g), mustState(t, c))
}
