package dcgan

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// adamEps is torch.optim.Adam's default eps.
const adamEps = 1e-8

// errClosed is returned by every method of a closed CPU backend.
var errClosed = errors.New("dcgan: cpu backend is closed")

// CPU is the reference Backend: the PyTorch example's training step on the host, with the
// operations of package ref (GEMMs through OpenBLAS when built with cgo).
//
// Each net's parameters, gradients and Adam moments live in one arena apiece, and every
// buffer a step needs is allocated by NewCPU, so Step allocates nothing.
type CPU struct {
	cfg    Config
	g, d   *cpuNet
	step   int64 // steps taken
	stats  StepStats
	closed bool

	real      []float32 // the batch normalised to [-1, 1], [N, C, H, W]
	z         []float32 // the step's noise, [N, nz]
	dlogit    []float32 // gradient of a loss by D's logits, [N]
	dfake     []float32 // gradient of errG by G's output, [N, C, H, W]
	gradDReal []float32 // D's gradients from the real batch, added to the fake batch's

	// What a step changes before it can tell that it is finite, kept to undo it.
	saveRunG, saveRunD    []float32
	saveD, saveDm, saveDv []float32
}

// NewCPU builds the CPU backend for cfg, initialised with InitState(cfg).
func NewCPU(cfg Config) (*CPU, error) {
	state, err := InitState(cfg)
	if err != nil {
		return nil, err
	}
	g := newCPUNet(Generator(cfg), cfg.BatchSize)
	d := newCPUNet(Discriminator(cfg), cfg.BatchSize)
	img := cfg.Channels * cfg.ImageSize * cfg.ImageSize
	c := &CPU{
		cfg: cfg, g: g, d: d,
		real:      make([]float32, cfg.BatchSize*img),
		z:         make([]float32, cfg.BatchSize*cfg.LatentDim),
		dlogit:    make([]float32, cfg.BatchSize),
		dfake:     make([]float32, cfg.BatchSize*img),
		gradDReal: make([]float32, len(d.grad)),
		saveRunG:  make([]float32, len(g.running)),
		saveRunD:  make([]float32, len(d.running)),
		saveD:     make([]float32, len(d.learned)),
		saveDm:    make([]float32, len(d.learned)),
		saveDv:    make([]float32, len(d.learned)),
	}
	if err := c.Load(state); err != nil {
		return nil, err
	}
	return c, nil
}

// Device names the BLAS and its threads, e.g. "cpu, OpenBLAS 0.3.21 (…, 2 threads)".
func (c *CPU) Device() string { return "cpu, " + ref.BLASName() }

// Step runs one training step of the PyTorch example (main.py) on real, a uint8 batch
// [N, C, H, W] with 1 ≤ N ≤ BatchSize. D's batch norms see three batches per step (real,
// fake, fake again for G) and move their running averages each time, as PyTorch's do in
// training mode; G's see one. If a loss or a gradient is NaN or Inf the step changes
// nothing (weights, moments, running averages, step count) and returns ErrNonFinite.
func (c *CPU) Step(real *tensor.Dense) error {
	if c.closed {
		return errClosed
	}
	n, err := c.loadBatch(real)
	if err != nil {
		return err
	}
	g, d, cfg := c.g, c.d, c.cfg
	t := c.step + 1 // Adam's step number
	st := StepStats{Step: c.step}
	copy(c.saveRunG, g.running)
	copy(c.saveRunD, d.running)
	dlogit := c.dlogit[:n]

	// D on real: errD_real = BCE(D(x), 1), backward into D's gradients.
	logits := d.forward(c.real, n, true, true)
	lossReal := ref.BCEWithLogits(logits, 1, dlogit)
	st.DReal = meanSigmoid(logits)
	d.backward(c.real, dlogit, nil, n, true)
	copy(c.gradDReal, d.grad)

	// D on fake: fake = G(z); errD_fake = BCE(D(fake.detach()), 0), gradients added.
	ref.FillNormal(c.z[:n*cfg.LatentDim], cfg.Seed, NoiseStream(c.step))
	fake := g.forward(c.z, n, true, true)
	logits = d.forward(fake, n, true, true)
	lossFake := ref.BCEWithLogits(logits, 0, dlogit)
	st.DFake = meanSigmoid(logits)
	d.backward(fake, dlogit, nil, n, true)
	addTo(d.grad, c.gradDReal)
	st.LossD = lossReal + lossFake
	if !isFinite(st.LossD) || !allFinite(d.grad) {
		c.undo(false)
		return c.reject(st, "netD", "loss_D", st.LossD)
	}

	// D update.
	copy(c.saveD, d.learned)
	copy(c.saveDm, d.m)
	copy(c.saveDv, d.v)
	ref.AdamUpdate64(d.learned, d.grad, d.m, d.v, t, cfg.LR, cfg.Beta1, cfg.Beta2, adamEps)

	// G through D: errG = BCE(D(fake), 1) with the updated D, backward through D into G.
	// PyTorch also fills D's parameter gradients here, only for the next step's zero_grad
	// to discard them; this pass skips them (about a tenth of the step).
	logits = d.forward(fake, n, true, true)
	st.LossG = ref.BCEWithLogits(logits, 1, dlogit)
	st.DFakeG = meanSigmoid(logits)
	dfake := c.dfake[:len(fake)]
	d.backward(fake, dlogit, dfake, n, false)
	g.backward(c.z, dfake, nil, n, true)
	if !isFinite(st.LossG) || !allFinite(g.grad) {
		c.undo(true)
		return c.reject(st, "netG", "loss_G", st.LossG)
	}

	// G update.
	ref.AdamUpdate64(g.learned, g.grad, g.m, g.v, t, cfg.LR, cfg.Beta1, cfg.Beta2, adamEps)
	c.step++
	st.Step = c.step
	c.stats = st
	return nil
}

// loadBatch checks real and normalises it into c.real, returning its batch size.
func (c *CPU) loadBatch(real *tensor.Dense) (int, error) {
	cfg := c.cfg
	if real == nil {
		return 0, errors.New("dcgan: step needs a batch, got nil")
	}
	s := real.Shape()
	if real.Dtype() != tensor.Uint8 || len(s) != 4 || s[0] < 1 || s[0] > cfg.BatchSize ||
		s[1] != cfg.Channels || s[2] != cfg.ImageSize || s[3] != cfg.ImageSize ||
		real.RequiresIterator() {
		return 0, fmt.Errorf("dcgan: batch is %v %v, want uint8 [N %d %d %d] with N ≤ %d",
			real.Dtype(), []int(s), cfg.Channels, cfg.ImageSize, cfg.ImageSize, cfg.BatchSize)
	}
	px := real.Uint8s()
	ref.NormalizeU8(px, c.real)
	return s[0], nil
}

// undo restores what a rejected step changed: the running averages and, if D was
// already updated, D's parameters and moments.
func (c *CPU) undo(dUpdated bool) {
	copy(c.g.running, c.saveRunG)
	copy(c.d.running, c.saveRunD)
	if dUpdated {
		copy(c.d.learned, c.saveD)
		copy(c.d.m, c.saveDm)
		copy(c.d.v, c.saveDv)
	}
}

// reject records a step that was not applied and returns its error.
func (c *CPU) reject(st StepStats, net, loss string, v float64) error {
	st.NonFini = true
	c.stats = st
	if !isFinite(v) {
		return fmt.Errorf("%w: step %d: %s: %s is %g", ErrNonFinite, c.step, net, loss, v)
	}
	return fmt.Errorf("%w: step %d: %s: gradients hold NaN or Inf (%s %g)",
		ErrNonFinite, c.step, net, loss, v)
}

// Stats returns the numbers of the last step, or of the last rejected one.
func (c *CPU) Stats() (StepStats, error) {
	if c.closed {
		return StepStats{}, errClosed
	}
	return c.stats, nil
}

// Generate runs G on z ([N, nz] or [N, nz, 1, 1] float32) in chunks of at most BatchSize,
// with each chunk's batch statistics, and returns [N, C, H, W] images in [-1, 1].
func (c *CPU) Generate(z *tensor.Dense) (*tensor.Dense, error) {
	if c.closed {
		return nil, errClosed
	}
	nz, s := c.cfg.LatentDim, z.Shape()
	if z.Dtype() != tensor.Float32 || len(s) < 2 || s[0] < 1 || s[1] != nz ||
		z.Size() != s[0]*nz || z.RequiresIterator() {
		return nil, fmt.Errorf("dcgan: generate needs float32 noise [N %d], got %v %v",
			nz, z.Dtype(), []int(s))
	}
	total, img := s[0], c.cfg.Channels*c.cfg.ImageSize*c.cfg.ImageSize
	zs, out := z.Float32s(), make([]float32, total*img)
	for i := 0; i < total; i += c.cfg.BatchSize {
		n := min(c.cfg.BatchSize, total-i)
		y := c.g.forward(zs[i*nz:(i+n)*nz], n, true, false)
		copy(out[i*img:], y)
	}
	shape := []int{total, c.cfg.Channels, c.cfg.ImageSize, c.cfg.ImageSize}
	return f32Dense(shape, out), nil
}

// State returns a deep copy of the whole state, named as Backend.State says.
func (c *CPU) State() (map[string]*tensor.Dense, error) {
	if c.closed {
		return nil, errClosed
	}
	state := make(map[string]*tensor.Dense)
	for _, cn := range []*cpuNet{c.g, c.d} {
		for _, t := range cn.tensors {
			state[cn.net.Name+"."+t.Name] = f32Dense(t.Shape, clone32(t.val))
			if t.Learned {
				state[momentName(cn.net, "m", t.Param)] = f32Dense(t.Shape, clone32(t.m))
				state[momentName(cn.net, "v", t.Param)] = f32Dense(t.Shape, clone32(t.v))
			}
		}
	}
	state["step"] = stepDense(c.step)
	return state, nil
}

// Load replaces the state with a copy of state after checking it with CheckState; on an
// error nothing changes. The last step's stats are cleared.
func (c *CPU) Load(state map[string]*tensor.Dense) error {
	if c.closed {
		return errClosed
	}
	if err := CheckState(c.cfg, state); err != nil {
		return err
	}
	for _, cn := range []*cpuNet{c.g, c.d} {
		for _, t := range cn.tensors {
			copy(t.val, state[cn.net.Name+"."+t.Name].Float32s())
			if t.Learned {
				copy(t.m, state[momentName(cn.net, "m", t.Param)].Float32s())
				copy(t.v, state[momentName(cn.net, "v", t.Param)].Float32s())
			}
		}
	}
	c.step, _ = stateStep(state)
	c.stats = StepStats{Step: c.step}
	return nil
}

// Close drops the buffers. It is safe to call twice; other methods fail after it.
func (c *CPU) Close() error {
	c.closed = true
	c.g, c.d = nil, nil
	c.real, c.z, c.dlogit, c.dfake, c.gradDReal = nil, nil, nil, nil, nil
	c.saveRunG, c.saveRunD, c.saveD, c.saveDm, c.saveDv = nil, nil, nil, nil, nil
	return nil
}

// meanSigmoid is the mean of sigmoid over logits: D's mean probability of "real".
func meanSigmoid(logits []float32) float64 {
	var s float64
	for _, v := range logits {
		s += float64(ref.Sigmoid(v))
	}
	return s / float64(len(logits))
}

// addTo adds src to dst element by element.
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// allFinite reports whether no value of v is NaN or Inf.
func allFinite(v []float32) bool {
	for _, x := range v {
		if x-x != 0 {
			return false
		}
	}
	return true
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func clone32(v []float32) []float32 { return append([]float32(nil), v...) }
