package dcgan

import (
	"errors"

	"gorgonia.org/tensor"
)

// Backend runs the DCGAN's numerical work on one device. The CPU reference (NewCPU) and the
// CUDA path (build tag cuda) implement it; the training loop, checkpoints and the CLI only
// talk to this interface.
//
// A Backend is not safe for concurrent use: one goroutine drives it.
type Backend interface {
	// Device names where the work runs, e.g. "cpu (2 threads, OpenBLAS)".
	Device() string

	// Step runs one training step on a batch of real images: D on real, D on fake, D update,
	// G through D, G update. real is uint8 [N, C, H, W] with the config's shape; the backend
	// normalises it to [-1, 1]. The noise for step s is NoiseStream(s) of the config's seed,
	// where s counts the steps taken since the state was initialised (it is saved in State).
	Step(real *tensor.Dense) error

	// Stats returns the numbers of the last step. A device backend may copy them back only
	// when asked, so call it at the log interval, not after every step.
	Stats() (StepStats, error)

	// Generate runs G on z ([N, nz] float32) and returns images [N, C, H, W] in [-1, 1].
	// Batch norm uses the batch's own statistics, as the PyTorch example samples, and leaves
	// the running averages untouched.
	Generate(z *tensor.Dense) (*tensor.Dense, error)

	// State returns a copy of everything a resume needs: both nets' state_dict tensors named
	// "netG.main.0.weight" …, Adam moments named "optG.m.main.0.weight" / "optG.v.…" (and
	// optD), and "step" (the number of steps taken, as a float64 scalar).
	State() (map[string]*tensor.Dense, error)

	// Load replaces the whole state with one State returned (from any backend).
	Load(state map[string]*tensor.Dense) error

	// Close frees what the backend holds. It is safe to call twice.
	Close() error
}

// StepStats are the PyTorch example's per-step numbers.
type StepStats struct {
	Step    int64   // steps taken, this one included
	LossD   float64 // BCE(D(x), 1) + BCE(D(G(z)), 0)
	LossG   float64 // BCE(D(G(z)), 1) after the D update: the non-saturating loss
	DReal   float64 // mean sigmoid(D(x))
	DFake   float64 // mean sigmoid(D(G(z))) before the D update
	DFakeG  float64 // mean sigmoid(D(G(z))) after the D update, as G saw it
	NonFini bool    // a loss or a gradient was NaN or Inf: the step was not applied
}

// ErrNonFinite is returned by the training loop when a step produced NaN or Inf.
var ErrNonFinite = errors.New("dcgan: loss is not finite")

// Noise streams. Every random number a backend draws is ref.Normal(seed, stream, i) for a
// stream below; CPU and GPU draw the same numbers, and a resumed run the same as a straight
// one, because the numbers depend on the step count and not on a generator's position.
const (
	fixedNoiseStream uint64 = 1 << 62 // the fixed noise of the sample grids
	initStream       uint64 = 1 << 61 // weight init: initStream + parameter's position
)

// NoiseStream is the stream of the noise G sees at step s (counted from 0).
func NoiseStream(s int64) uint64 { return uint64(s) }

// FixedNoiseStream is the stream of the sample grids' fixed noise.
func FixedNoiseStream() uint64 { return fixedNoiseStream }
