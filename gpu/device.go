//go:build cuda

package gpu

import (
	"errors"
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
)

// Options choose the device and how cuDNN computes.
type Options struct {
	Ordinal       int  // GPU number
	Deterministic bool // only cuDNN algorithms that give the same bits on every run
	TF32          bool // let cuDNN use TF32 tensor cores (Ampere and newer)
	// Measured times every cuDNN candidate once per shape at construction (as PyTorch's
	// cudnn.benchmark does) instead of taking cuDNN's heuristic ranking.
	Measured bool
	// SearchWorkspace caps the workspace any one algorithm may use, in bytes; 0 means
	// DefaultSearchWorkspace.
	SearchWorkspace int64
}

// DefaultSearchWorkspace is the default cap on one algorithm's workspace.
const DefaultSearchWorkspace = 256 << 20

// Device is one GPU ready for DCGAN's layers: its context, a compute stream and a copy
// stream, a cuDNN handle on the compute stream, the project's kernels and the shared
// convolution workspace.
type Device struct {
	Ctx     *cuda.Context
	Stream  *cuda.Stream // compute: every layer queues here
	Copy    *cuda.Stream // host-to-device uploads, to overlap compute
	DNN     *cuda.DNN
	Kernels *Kernels

	opts   Options
	ws     *cuda.Buffer       // the shared workspace; nil while no algorithm needs one
	plan   cuda.WorkspacePlan // largest need so far
	search *cuda.Buffer       // workspace for measured searches, during setup only
}

// Open opens GPU opts.Ordinal on the calling goroutine (see package cuda's thread rule) and
// prepares streams, cuDNN and the kernels. On error everything made so far is freed.
func Open(opts Options) (dev *Device, err error) {
	if opts.SearchWorkspace <= 0 {
		opts.SearchWorkspace = DefaultSearchWorkspace
	}
	d := &Device{opts: opts}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.Ctx, err = cuda.Open(opts.Ordinal); err != nil {
		return nil, fmt.Errorf("gpu: open device %d: %w", opts.Ordinal, err)
	}
	if d.Stream, err = cuda.NewStream(); err != nil {
		return nil, fmt.Errorf("gpu: compute stream: %w", err)
	}
	if d.Copy, err = cuda.NewStream(); err != nil {
		return nil, fmt.Errorf("gpu: copy stream: %w", err)
	}
	if d.DNN, err = cuda.NewDNN(d.Stream); err != nil {
		return nil, fmt.Errorf("gpu: cudnn: %w", err)
	}
	if d.Kernels, err = LoadKernels(); err != nil {
		return nil, err
	}
	return d, nil
}

// Options are the options the device was opened with.
func (d *Device) Options() Options { return d.opts }

// Math is the convolution math the options ask for.
func (d *Device) Math() cuda.MathType {
	if d.opts.TF32 {
		return cuda.MathTF32
	}
	return cuda.MathFP32
}

// Workspace is the shared convolution workspace; nil when no algorithm needs one.
func (d *Device) Workspace() *cuda.Buffer { return d.ws }

// WorkspacePlan says how large the workspace is and who needs the most.
func (d *Device) WorkspacePlan() cuda.WorkspacePlan { return d.plan }

// newConv creates the descriptors of g and chooses the algorithm of each direction under
// the device's policy, growing the shared workspace if a choice needs more. what names the
// layer in errors and in the workspace plan.
func (d *Device) newConv(g cuda.ConvGeom, what string) (*cuda.Conv, error) {
	c, err := cuda.NewConv(g, d.Math())
	if err != nil {
		return nil, fmt.Errorf("gpu: %s %v: %w", what, g, err)
	}
	pol := cuda.AlgoPolicy{Deterministic: d.opts.Deterministic,
		WorkspaceLimit: d.opts.SearchWorkspace}
	var sc cuda.ConvScratch
	if d.opts.Measured {
		var free func()
		if sc, free, err = d.scratch(g); err != nil {
			c.Close()
			return nil, fmt.Errorf("gpu: %s %v: algorithm search: %w", what, g, err)
		}
		defer free()
		pol.Search = cuda.AlgoMeasured
	}
	for dir := cuda.ConvFwd; dir <= cuda.ConvBwdFilter; dir++ {
		p, err := c.Choose(d.DNN, dir, pol, sc)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("gpu: %s %s %v: %w", what, dir, g, err)
		}
		d.plan.Need(what+" "+dir.String(), p.Memory)
	}
	if err := d.growWorkspace(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// scratch allocates what a measured search of g runs on: x, w and y of its shapes, and the
// search workspace, kept until FinishSetup.
func (d *Device) scratch(g cuda.ConvGeom) (cuda.ConvScratch, func(), error) {
	var bufs []*cuda.Buffer
	free := func() {
		for _, b := range bufs {
			b.Close()
		}
	}
	for _, n := range []int{g.N * g.C * g.H * g.W, g.K * g.C * g.R * g.S, g.N * g.K * g.P() * g.Q()} {
		b, err := cuda.Alloc(int64(n) * 4)
		if err != nil {
			free()
			return cuda.ConvScratch{}, nil, err
		}
		bufs = append(bufs, b)
	}
	if d.search == nil {
		b, err := cuda.Alloc(d.opts.SearchWorkspace)
		if err != nil {
			free()
			return cuda.ConvScratch{}, nil, err
		}
		d.search = b
	}
	sc := cuda.ConvScratch{X: bufs[0].Ptr(), W: bufs[1].Ptr(), Y: bufs[2].Ptr(),
		Workspace: d.search.Ptr(), WSBytes: d.search.Size()}
	return sc, free, nil
}

// growWorkspace makes the shared workspace as large as the plan. It reallocates only when a
// new shape needs more, which happens at construction or on the first step of a new batch
// size, never in a steady step.
func (d *Device) growWorkspace() error {
	if d.plan.Bytes == 0 || (d.ws != nil && d.ws.Size() >= d.plan.Bytes) {
		return nil
	}
	if d.ws != nil {
		if err := d.Stream.Synchronize(); err != nil { // the old one may still be in use
			return fmt.Errorf("gpu: grow workspace: %w", err)
		}
		d.ws.Close()
		d.ws = nil
	}
	ws, err := cuda.Alloc(d.plan.Bytes)
	if err != nil {
		return fmt.Errorf("gpu: workspace of %d MiB for %s: %w", d.plan.Bytes>>20, d.plan.Largest, err)
	}
	d.ws = ws
	return nil
}

// FinishSetup frees what the algorithm search used. Call it once all layers are built.
func (d *Device) FinishSetup() error {
	if d.search == nil {
		return nil
	}
	err := d.search.Close()
	d.search = nil
	return err
}

// Close frees the workspace, kernels, cuDNN handle, streams and context, in that order. Safe
// to call twice; free the layers and arenas first.
func (d *Device) Close() error {
	var errs []error
	if d.Stream != nil {
		errs = append(errs, d.Stream.Synchronize())
	}
	for _, b := range []*cuda.Buffer{d.ws, d.search} {
		if b != nil {
			errs = append(errs, b.Close())
		}
	}
	if d.Kernels != nil {
		errs = append(errs, d.Kernels.Close())
	}
	if d.DNN != nil {
		errs = append(errs, d.DNN.Close())
	}
	for _, s := range []*cuda.Stream{d.Copy, d.Stream} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	if d.Ctx != nil {
		errs = append(errs, d.Ctx.Close())
	}
	d.ws, d.search, d.Kernels, d.DNN, d.Copy, d.Stream, d.Ctx = nil, nil, nil, nil, nil, nil, nil
	return errors.Join(errs...)
}
