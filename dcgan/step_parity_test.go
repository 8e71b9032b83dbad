package dcgan

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
)

// stepFixture is written by tools/torch_step.py: PyTorch's initial weights, noise, batches,
// per-step numbers and final state of two training steps for small configurations.
const stepFixture = "testdata/step.safetensors"

// Tolerances of the whole-step comparison.
//
// The initial weights and the noise must match bit for bit: both sides compute the same
// Philox integers and round float64 Box–Muller results to float32 once.
//
// The steps compute in float32 on both sides but sum in different orders (OpenBLAS against
// ATen's GEMMs and convolutions, float64 against float32 batch-norm sums), so gradients
// differ by a few float32 ulps of the largest terms they sum, about 1e-6 relative to a
// tensor's largest value (observed: ≤ 2.2e-6 of it, in optD.v of the first conv). Adam's
// moments are those gradients (m ~ g, v ~ g²): bound 1e-5 of the tensor's largest |value|.
// Adam divides m by √v, so the gradient errors reach the weights scaled by lr = 2e-4:
// weights differ by ≤ 4e-9 (observed), bound 1e-7 + 1e-6·|w|. Running variances (≈ 1) move
// by a batch variance each pass and differ by ≤ 2 ulps of 1 (2.4e-7): the 1e-6·|w| term
// covers them. Losses and D's mean outputs differ by ≤ 1.5e-7 (observed): bound 1e-6.
const (
	parityAbs        = 1e-7 // weights and running statistics: |Δ| ≤ abs + rel·|torch|
	parityRel        = 1e-6
	parityRelMoments = 1e-5 // Adam's m and v: |Δ| ≤ this · max |torch value| of the tensor
	parityAbsStats   = 1e-6 // losses and mean sigmoid outputs
)

func TestStepMatchesPyTorch(t *testing.T) {
	f, err := safetensors.ReadFile(stepFixture)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := strconv.Atoi(f.Metadata["steps"])
	if err != nil || steps < 1 {
		t.Fatalf("fixture metadata steps %q", f.Metadata["steps"])
	}
	cases := 0
	for _, key := range slices.Sorted(maps.Keys(f.Metadata)) {
		if !strings.Contains(key, "x") {
			continue
		}
		var cfg Config
		if err := json.Unmarshal([]byte(f.Metadata[key]), &cfg); err != nil {
			t.Fatalf("case %s: %v", key, err)
		}
		t.Run(key, func(t *testing.T) { checkStepParity(t, f, key+".", cfg, steps) })
		cases++
	}
	if cases == 0 {
		t.Fatal("fixture holds no cases")
	}
}

func checkStepParity(t *testing.T, f *safetensors.File, prefix string, cfg Config, steps int) {
	fx := func(name string) *tensor.Dense { return fixtureTensor(t, f, prefix+name) }

	// PyTorch's initial weights were drawn with a Python Philox: they must be InitState's.
	state, err := InitState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	inits := 0
	for name := range f.Tensors {
		if rest, ok := strings.CutPrefix(name, prefix+"init."); ok {
			if !slices.Equal(state[rest].Float32s(), fx("init."+rest).Float32s()) {
				t.Errorf("InitState's %s differs from the Python Philox draw", rest)
			}
			inits++
		}
	}
	if inits != len(Generator(cfg).Params())+len(Discriminator(cfg).Params()) {
		t.Fatalf("fixture holds %d initial tensors", inits)
	}

	b := newTestCPU(t, cfg)
	for s := 0; s < steps; s++ {
		z := make([]float32, cfg.BatchSize*cfg.LatentDim)
		ref.FillNormal(z, cfg.Seed, NoiseStream(int64(s)))
		if !slices.Equal(z, fx(fmt.Sprint("noise.", s)).Float32s()) {
			t.Errorf("step %d: noise differs from the Python Philox draw", s)
		}
		if err := b.Step(fx(fmt.Sprint("batch.", s))); err != nil {
			t.Fatal(err)
		}
		got, _ := b.Stats()
		want := fx("stats").Float64s()[s*5:][:5]
		for i, v := range []float64{got.LossD, got.LossG, got.DReal, got.DFake, got.DFakeG} {
			t.Logf("step %d stat %d: |Δ| %.3g", s, i, math.Abs(v-want[i]))
			if !(math.Abs(v-want[i]) <= parityAbsStats) {
				t.Errorf("step %d: %s = %.7f, PyTorch %.7f", s,
					[]string{"loss_D", "loss_G", "D(x)", "D(G(z)) before", "after"}[i], v, want[i])
			}
		}
	}

	final := mustState(t, b)
	compared := 0
	for name, got := range final {
		if name == "step" {
			continue
		}
		compareParity(t, name, got.Float32s(), fx("final."+name).Float32s())
		compared++
	}
	if want := len(stateLayout(cfg)); compared != want {
		t.Errorf("compared %d tensors, want %d", compared, want)
	}
}

// compareParity checks one final tensor against PyTorch's within the tolerances above.
func compareParity(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", name, len(got), len(want))
	}
	var top float64
	for _, w := range want {
		top = max(top, math.Abs(float64(w)))
	}
	moment := strings.HasPrefix(name, "opt")
	var worst, bound float64 // worst is the largest |Δ|, bound its allowance there
	for i := range got {
		d, b := math.Abs(float64(got[i])-float64(want[i])), parityRelMoments*top
		if !moment {
			b = parityAbs + parityRel*math.Abs(float64(want[i]))
		}
		if d > worst || i == 0 {
			worst, bound = d, b
		}
		if !(d <= b) {
			t.Errorf("%s[%d] = %g, PyTorch %g: |Δ| %.3g > %.3g", name, i, got[i], want[i], d, b)
			return
		}
	}
	t.Logf("%-28s max |Δ| %.3g (bound %.3g)", name, worst, bound)
}

// fixtureTensor returns a fixture tensor as a dense tensor.
func fixtureTensor(t *testing.T, f *safetensors.File, name string) *tensor.Dense {
	t.Helper()
	st, ok := f.Tensors[name]
	if !ok {
		t.Fatalf("fixture lacks %s", name)
	}
	shape := slices.Clone(st.Shape)
	switch st.DType {
	case "F32":
		v, err := st.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	case "F64":
		v, err := st.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	case "U8":
		v, err := st.Uint8s()
		if err != nil {
			t.Fatal(err)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	t.Fatalf("fixture %s has dtype %s", name, st.DType)
	return nil
}
