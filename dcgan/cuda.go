//go:build cuda

package dcgan

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/gpu"
	"github.com/dcgan-gpu/dcgan-gpu/kernels"
)

// CUDAOptions choose the GPU and how cuDNN computes.
type CUDAOptions struct {
	Device        int  // GPU number, as in --device cuda:N
	Deterministic bool // only cuDNN algorithms that give the same bits on every run
	TF32          bool // allow TF32 tensor cores in convolutions (Ampere and newer)
	Benchmark     bool // time cuDNN's algorithms once per shape instead of its heuristic
}

var (
	errCUDAClosed  = errors.New("dcgan: cuda backend is closed")
	errWrongThread = errors.New("dcgan: cuda backend used from a goroutine other than the " +
		"one that created it")
)

// Words of the step's numbers on the device, read back by Stats.
const (
	statLossReal = iota
	statDReal
	statLossFake
	statDFake
	statLossG
	statDFakeG
	statFlag // uint32: set by check_finite when a loss or gradient was NaN or Inf
	statWords
)

// CUDA is the GPU Backend: the CPU backend's step, with weights, activations, gradients,
// Adam moments and the batch in device memory. Step queues the work and returns without
// waiting for it; the numbers come back when Stats asks.
//
// BUG(dcgan): a NaN or Inf in a CUDA step is noticed on the device, where it stops every
// later update (Adam skips on the flag), but reported only by the next Stats, State or
// Generate, not by the Step that produced it; the step's D update and running averages may
// already be applied. The CPU backend rejects the step itself.
type CUDA struct {
	cfg    Config
	opts   CUDAOptions
	dev    *gpu.Device
	g, d   *cudaNet
	step   int64
	closed bool
	name   string

	bufs                       *gpu.Arena // the step's own buffers
	u8, real, z, dlogit, dfake cuda.DevicePtr
	stats                      cuda.DevicePtr // statWords words

	staging  [2]*cuda.HostBuffer // pinned batches, used in turn
	uploaded [2]*cuda.Event      // when each staging buffer's copy has been read
	consumed *cuda.Event         // on the compute stream: the last batch at u8 is read
	turn     int
	host     *cuda.HostBuffer // Stats' read-back of the step's numbers

	timer [2]*cuda.Event // TimerStart/TimerStop, made on first use
}

// NewCUDA opens GPU opts.Device on the calling goroutine, which must make every later call
// (see package cuda's thread rule), and builds both nets for cfg, initialised with
// InitState(cfg).
func NewCUDA(cfg Config, opts CUDAOptions) (Backend, error) {
	state, err := InitState(cfg)
	if err != nil {
		return nil, err
	}
	c := &CUDA{cfg: cfg, opts: opts}
	if err := c.build(); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Load(state); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// build opens the device and allocates everything a step uses.
func (c *CUDA) build() error {
	cfg := c.cfg
	var err error
	c.dev, err = gpu.Open(gpu.Options{Ordinal: c.opts.Device, Deterministic: c.opts.Deterministic,
		TF32: c.opts.TF32, Measured: c.opts.Benchmark})
	if err != nil {
		return err
	}
	maxN := cfg.BatchSize
	if c.g, err = newCUDANet(c.dev, Generator(cfg), maxN); err != nil {
		return err
	}
	if c.d, err = newCUDANet(c.dev, Discriminator(cfg), maxN); err != nil {
		return err
	}

	img := cfg.Channels * cfg.ImageSize * cfg.ImageSize
	var p gpu.ArenaPlan
	slots := []int{
		p.Add("batch u8", (maxN*img+3)/4),
		p.Add("real", maxN*img),
		p.Add("z", maxN*cfg.LatentDim),
		p.Add("dlogit", maxN),
		p.Add("dfake", maxN*img),
		p.Add("stats", statWords),
	}
	if c.bufs, err = gpu.NewArena("step", p, c.dev.Stream); err != nil {
		return err
	}
	c.u8, c.real, c.z = c.bufs.Ptr(slots[0]), c.bufs.Ptr(slots[1]), c.bufs.Ptr(slots[2])
	c.dlogit, c.dfake, c.stats = c.bufs.Ptr(slots[3]), c.bufs.Ptr(slots[4]), c.bufs.Ptr(slots[5])
	for i := range c.staging {
		if c.staging[i], err = cuda.AllocHost(int64(maxN * img)); err != nil {
			return fmt.Errorf("dcgan: pinned batch buffer: %w", err)
		}
		if c.uploaded[i], err = cuda.NewEvent(false); err != nil {
			return err
		}
	}
	if c.consumed, err = cuda.NewEvent(false); err != nil {
		return err
	}
	if c.host, err = cuda.AllocHost(statWords * 4); err != nil {
		return err
	}
	if err := c.dev.FinishSetup(); err != nil {
		return err
	}

	info := c.dev.Ctx.Info()
	v, _, _ := cuda.CUDNNVersion()
	c.name = fmt.Sprintf("cuda:%d %s (sm_%d%d, %d MiB), driver CUDA %s, cuDNN %s, %s",
		info.Ordinal, info.Name, info.Major, info.Minor, info.TotalMem>>20,
		cuda.CUDAVersionString(c.dev.Ctx.Driver()), cuda.CUDNNVersionString(v), c.dev.Math())
	if c.opts.Deterministic {
		c.name += ", deterministic"
	}
	return nil
}

// Device names the GPU, the driver, cuDNN and the math, e.g. "cuda:0 NVIDIA H200 (sm_90,
// 143771 MiB), driver CUDA 13.0, cuDNN 9.13.0, fp32".
func (c *CUDA) Device() string { return c.name }

// ready checks that the backend is open and used from its own goroutine.
func (c *CUDA) ready() error {
	if c.closed {
		return errCUDAClosed
	}
	if !c.dev.Ctx.IsCurrent() {
		return errWrongThread
	}
	return nil
}

// Step queues one training step of the PyTorch example on real, a uint8 batch [N, C, H, W]
// with 1 ≤ N ≤ BatchSize, in the order of the CPU backend's Step. The batch goes through a
// pinned buffer on the copy stream, overlapping the previous step's compute.
func (c *CUDA) Step(real *tensor.Dense) error {
	if err := c.ready(); err != nil {
		return err
	}
	n, err := c.upload(real)
	if err != nil {
		return err
	}
	g, d, cfg, k, s := c.g, c.d, c.cfg, c.dev.Kernels, c.dev.Stream
	img := cfg.Channels * cfg.ImageSize * cfg.ImageSize
	flag := c.stat(statFlag)
	sc := kernels.AdamScalarsFor(c.step+1, cfg.LR, cfg.Beta1, cfg.Beta2, adamEps)
	if err := k.NormalizeU8(s, c.u8, c.real, n*img); err != nil {
		return err
	}
	if err := c.consumed.Record(s); err != nil { // the next upload may overwrite u8
		return err
	}

	// D on real: errD_real = BCE(D(x), 1), backward into D's gradients.
	logits, err := d.forward(k, s, c.real, n, true, true)
	if err != nil {
		return err
	}
	err = k.BCELogitsForwardBackward(s, logits, c.stat(statLossReal), c.stat(statDReal),
		c.dlogit, n, 1)
	if err != nil {
		return err
	}
	if err := d.backward(k, s, c.real, c.dlogit, 0, n, true, false); err != nil {
		return err
	}

	// D on fake: fake = G(z); errD_fake = BCE(D(fake.detach()), 0), gradients added.
	err = k.NoiseNormal(s, c.z, n*cfg.LatentDim, cfg.Seed, NoiseStream(c.step), 0, 1)
	if err != nil {
		return err
	}
	fake, err := g.forward(k, s, c.z, n, true, true)
	if err != nil {
		return err
	}
	if logits, err = d.forward(k, s, fake, n, true, true); err != nil {
		return err
	}
	err = k.BCELogitsForwardBackward(s, logits, c.stat(statLossFake), c.stat(statDFake),
		c.dlogit, n, 0)
	if err != nil {
		return err
	}
	if err := d.backward(k, s, fake, c.dlogit, 0, n, true, true); err != nil {
		return err
	}

	// D update, skipped on the device if a loss or gradient is not finite.
	if err := k.CheckFinite(s, d.grad.Base(), flag, d.grad.Len()); err != nil {
		return err
	}
	if err := k.CheckFinite(s, c.stat(statLossReal), flag, statLossG); err != nil {
		return err
	}
	err = k.AdamUpdate(s, d.learned.Base(), d.grad.Base(), d.m.Base(), d.v.Base(), flag,
		d.learned.Len(), sc)
	if err != nil {
		return err
	}

	// G through D: errG = BCE(D(fake), 1) with the updated D, backward through D into G.
	if logits, err = d.forward(k, s, fake, n, true, true); err != nil {
		return err
	}
	err = k.BCELogitsForwardBackward(s, logits, c.stat(statLossG), c.stat(statDFakeG),
		c.dlogit, n, 1)
	if err != nil {
		return err
	}
	if err := d.backward(k, s, fake, c.dlogit, c.dfake, n, false, false); err != nil {
		return err
	}
	if err := g.backward(k, s, c.z, c.dfake, 0, n, true, false); err != nil {
		return err
	}

	// G update.
	if err := k.CheckFinite(s, g.grad.Base(), flag, g.grad.Len()); err != nil {
		return err
	}
	if err := k.CheckFinite(s, c.stat(statLossG), flag, 1); err != nil {
		return err
	}
	err = k.AdamUpdate(s, g.learned.Base(), g.grad.Base(), g.m.Base(), g.v.Base(), flag,
		g.learned.Len(), sc)
	if err != nil {
		return err
	}
	c.step++
	return nil
}

// stat is the device address of one word of the step's numbers.
func (c *CUDA) stat(i int) cuda.DevicePtr { return c.stats.Add(int64(i) * 4) }

// upload checks real, copies it into the next pinned buffer and queues its upload on the
// copy stream; the compute stream waits for it. It returns the batch size.
func (c *CUDA) upload(real *tensor.Dense) (int, error) {
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
	buf, ev := c.staging[c.turn], c.uploaded[c.turn]
	c.turn = 1 - c.turn
	if err := ev.Synchronize(); err != nil { // its last upload has been read
		return 0, err
	}
	copy(buf.Bytes(), px)
	// u8 is one device buffer: the copy must wait until the compute stream, which may be
	// steps behind the host, has normalised the batch before.
	if err := c.dev.Copy.Wait(c.consumed); err != nil {
		return 0, err
	}
	if err := cuda.CopyHtoD(c.u8, buf.Ptr(), int64(len(px)), c.dev.Copy); err != nil {
		return 0, fmt.Errorf("dcgan: upload batch: %w", err)
	}
	if err := ev.Record(c.dev.Copy); err != nil {
		return 0, err
	}
	if err := c.dev.Stream.Wait(ev); err != nil {
		return 0, err
	}
	return s[0], nil
}

// readStats waits for the queued work and copies the step's numbers back.
func (c *CUDA) readStats() ([statWords]uint32, error) {
	var w [statWords]uint32
	s := c.dev.Stream
	if err := cuda.CopyDtoH(c.host.Ptr(), c.stats, statWords*4, s); err != nil {
		return w, err
	}
	if err := s.Synchronize(); err != nil {
		return w, fmt.Errorf("dcgan: cuda step: %w", err)
	}
	copy(w[:], unsafe.Slice((*uint32)(c.host.Ptr()), statWords))
	return w, nil
}

// Stats waits for the queued steps and returns the numbers of the last one. NonFini is set
// once any step since the state was loaded produced a NaN or Inf.
func (c *CUDA) Stats() (StepStats, error) {
	if err := c.ready(); err != nil {
		return StepStats{}, err
	}
	w, err := c.readStats()
	if err != nil {
		return StepStats{}, err
	}
	f := func(i int) float64 { return float64(math.Float32frombits(w[i])) }
	return StepStats{
		Step:    c.step,
		LossD:   f(statLossReal) + f(statLossFake),
		LossG:   f(statLossG),
		DReal:   f(statDReal),
		DFake:   f(statDFake),
		DFakeG:  f(statDFakeG),
		NonFini: w[statFlag] != 0,
	}, nil
}

// checkFinite waits for the queued steps and fails with ErrNonFinite if one of them was not
// finite: the state on the device is then not one a checkpoint should keep.
func (c *CUDA) checkFinite() error {
	w, err := c.readStats()
	if err != nil {
		return err
	}
	if w[statFlag] != 0 {
		return fmt.Errorf("%w: a step up to %d produced NaN or Inf on the GPU; updates "+
			"stopped there", ErrNonFinite, c.step)
	}
	return nil
}

// Generate runs G on z ([N, nz] or [N, nz, 1, 1] float32) in chunks of at most BatchSize,
// with each chunk's batch statistics, and returns [N, C, H, W] images in [-1, 1].
func (c *CUDA) Generate(z *tensor.Dense) (*tensor.Dense, error) {
	if err := c.ready(); err != nil {
		return nil, err
	}
	nz, s := c.cfg.LatentDim, z.Shape()
	if z.Dtype() != tensor.Float32 || len(s) < 2 || s[0] < 1 || s[1] != nz ||
		z.Size() != s[0]*nz || z.RequiresIterator() {
		return nil, fmt.Errorf("dcgan: generate needs float32 noise [N %d], got %v %v",
			nz, z.Dtype(), []int(s))
	}
	if err := c.checkFinite(); err != nil {
		return nil, err
	}
	total, img := s[0], c.cfg.Channels*c.cfg.ImageSize*c.cfg.ImageSize
	zs, out := z.Float32s(), make([]float32, total*img)
	k, st := c.dev.Kernels, c.dev.Stream
	for i := 0; i < total; i += c.cfg.BatchSize {
		n := min(c.cfg.BatchSize, total-i)
		if err := cuda.Upload(c.z, zs[i*nz:(i+n)*nz], st); err != nil {
			return nil, err
		}
		y, err := c.g.forward(k, st, c.z, n, true, false)
		if err != nil {
			return nil, err
		}
		if err := cuda.Download(out[i*img:(i+n)*img], y, st); err != nil {
			return nil, err
		}
	}
	shape := []int{total, c.cfg.Channels, c.cfg.ImageSize, c.cfg.ImageSize}
	return f32Dense(shape, out), nil
}

// State returns a copy of the whole state, named as Backend.State says. It fails with
// ErrNonFinite if a step since the last Load was not finite.
func (c *CUDA) State() (map[string]*tensor.Dense, error) {
	if err := c.ready(); err != nil {
		return nil, err
	}
	if err := c.checkFinite(); err != nil {
		return nil, err
	}
	state := make(map[string]*tensor.Dense)
	s := c.dev.Stream
	for _, cn := range []*cudaNet{c.g, c.d} {
		for _, t := range cn.tensors {
			get := func(a *gpu.Arena) (*tensor.Dense, error) {
				v := make([]float32, Size(t.Shape))
				if err := cuda.Download(v, a.Ptr(t.slot), s); err != nil {
					return nil, fmt.Errorf("dcgan: read %s.%s: %w", cn.net.Name, t.Name, err)
				}
				return f32Dense(t.Shape, v), nil
			}
			var err error
			if !t.Learned {
				state[cn.net.Name+"."+t.Name], err = get(cn.running)
				if err != nil {
					return nil, err
				}
				continue
			}
			for _, e := range []struct {
				name  string
				arena *gpu.Arena
			}{
				{cn.net.Name + "." + t.Name, cn.learned},
				{momentName(cn.net, "m", t.Param), cn.m},
				{momentName(cn.net, "v", t.Param), cn.v},
			} {
				if state[e.name], err = get(e.arena); err != nil {
					return nil, err
				}
			}
		}
	}
	state["step"] = stepDense(c.step)
	return state, nil
}

// Load replaces the state with state after checking it with CheckState, and clears the
// not-finite flag and the last step's numbers.
func (c *CUDA) Load(state map[string]*tensor.Dense) error {
	if err := c.ready(); err != nil {
		return err
	}
	if err := CheckState(c.cfg, state); err != nil {
		return err
	}
	s := c.dev.Stream
	for _, cn := range []*cudaNet{c.g, c.d} {
		for _, t := range cn.tensors {
			put := func(name string, a *gpu.Arena) error {
				if err := cuda.Upload(a.Ptr(t.slot), state[name].Float32s(), s); err != nil {
					return fmt.Errorf("dcgan: write %s: %w", name, err)
				}
				return nil
			}
			if !t.Learned {
				if err := put(cn.net.Name+"."+t.Name, cn.running); err != nil {
					return err
				}
				continue
			}
			if err := put(cn.net.Name+"."+t.Name, cn.learned); err != nil {
				return err
			}
			if err := put(momentName(cn.net, "m", t.Param), cn.m); err != nil {
				return err
			}
			if err := put(momentName(cn.net, "v", t.Param), cn.v); err != nil {
				return err
			}
		}
	}
	if err := cuda.Memset32(c.stats, 0, statWords, s); err != nil {
		return err
	}
	c.step, _ = stateStep(state)
	return s.Synchronize()
}

// Close waits for the queued work and frees everything, the device last. Safe to call
// twice; other methods fail after it.
func (c *CUDA) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	if c.dev != nil && c.dev.Stream != nil {
		errs = append(errs, c.dev.Stream.Synchronize(), c.dev.Copy.Synchronize())
	}
	for _, cn := range []*cudaNet{c.g, c.d} {
		if cn != nil {
			errs = append(errs, cn.close())
		}
	}
	errs = append(errs, c.bufs.Close())
	for i := range c.staging {
		if c.staging[i] != nil {
			errs = append(errs, c.staging[i].Close())
		}
		if c.uploaded[i] != nil {
			errs = append(errs, c.uploaded[i].Close())
		}
	}
	if c.consumed != nil {
		errs = append(errs, c.consumed.Close())
	}
	if c.host != nil {
		errs = append(errs, c.host.Close())
	}
	for _, e := range c.timer {
		if e != nil {
			errs = append(errs, e.Close())
		}
	}
	if c.dev != nil {
		errs = append(errs, c.dev.Close())
	}
	return errors.Join(errs...)
}

// TimerStart records a start event on the compute stream, for timing steps with the
// device's clock (bench's EventTimer).
func (c *CUDA) TimerStart() error {
	if err := c.ready(); err != nil {
		return err
	}
	for i := range c.timer {
		if c.timer[i] == nil {
			e, err := cuda.NewEvent(true)
			if err != nil {
				return err
			}
			c.timer[i] = e
		}
	}
	return c.timer[0].Record(c.dev.Stream)
}

// TimerStop records a stop event, waits for it and returns the device time since
// TimerStart.
func (c *CUDA) TimerStop() (time.Duration, error) {
	if err := c.ready(); err != nil {
		return 0, err
	}
	if c.timer[0] == nil {
		return 0, errors.New("dcgan: TimerStop without TimerStart")
	}
	if err := c.timer[1].Record(c.dev.Stream); err != nil {
		return 0, err
	}
	if err := c.timer[1].Synchronize(); err != nil {
		return 0, err
	}
	return cuda.Elapsed(c.timer[0], c.timer[1])
}

// PeakDeviceMemory is the device memory the backend has held at most: its arenas, step
// buffers and the largest workspace (bench's DeviceMemory). Everything is allocated up
// front, so the peak is the total. cuDNN's and the driver's own allocations are not counted.
func (c *CUDA) PeakDeviceMemory() (int64, error) {
	if c.closed {
		return 0, errCUDAClosed
	}
	total := c.bufs.Plan.Bytes() + c.dev.WorkspacePlan().Bytes
	for _, cn := range []*cudaNet{c.g, c.d} {
		total += 4*cn.plan.Bytes() + cn.runPlan.Bytes() + cn.actPlan.Bytes()
	}
	return total, nil
}
