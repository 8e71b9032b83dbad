package dcgan

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// NOTE [weight init streams]
//
// The initial weights follow the PyTorch example's weights_init: convolution and transposed
// convolution weights N(0, 0.02), batch-norm weights N(1, 0.02), batch-norm biases 0,
// running means 0 and running variances 1. The normals come from ref.Normal(seed,
// initStream+k, i): k numbers the tensors of netG's Params() followed by netD's Params(),
// running statistics included (so D's first weight is k = len(netG.Params())), and i is
// the element's position in the tensor. Values are rounded to float32 once per operation:
// w = float32(0.02)·n and γ = 1 + float32(0.02)·n.

// Initial-weight spread of weights_init in the PyTorch example.
const initStd = 0.02

// ErrStateMismatch marks a state (a checkpoint's tensors) that does not fit the model of
// the config: a tensor missing, extra, or of another shape or dtype.
var ErrStateMismatch = errors.New("dcgan: checkpoint does not fit this model")

// InitState returns the initial state of a run as Backend.State names it: both nets'
// state_dict tensors drawn as NOTE [weight init streams] says, Adam moments zero and
// "step" 0. Any backend loaded with it starts from the same weights.
func InitState(cfg Config) (map[string]*tensor.Dense, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	state := make(map[string]*tensor.Dense)
	k := uint64(0)
	for _, net := range []Net{Generator(cfg), Discriminator(cfg)} {
		for _, p := range net.Params() {
			v := make([]float32, Size(p.Shape))
			initTensor(v, p, cfg.Seed, initStream+k)
			state[net.Name+"."+p.Name] = f32Dense(p.Shape, v)
			if p.Learned {
				state[momentName(net, "m", p)] = f32Dense(p.Shape, make([]float32, len(v)))
				state[momentName(net, "v", p)] = f32Dense(p.Shape, make([]float32, len(v)))
			}
			k++
		}
	}
	state["step"] = stepDense(0)
	return state, nil
}

// initTensor fills v with the initial values of p from stream.
func initTensor(v []float32, p Param, seed, stream uint64) {
	switch {
	case strings.HasSuffix(p.Name, ".weight") && len(p.Shape) == 4: // (transposed) conv
		ref.FillNormal(v, seed, stream)
		for i, n := range v {
			v[i] = float32(initStd * n)
		}
	case strings.HasSuffix(p.Name, ".weight"): // batch-norm γ
		ref.FillNormal(v, seed, stream)
		for i, n := range v {
			v[i] = 1 + float32(initStd*n)
		}
	case strings.HasSuffix(p.Name, ".running_var"):
		for i := range v {
			v[i] = 1
		}
	}
	// Batch-norm β and running means stay 0.
}

// momentName names an Adam moment ("m" or "v") of a learned parameter of net, e.g.
// "optD.m.main.0.weight".
func momentName(net Net, moment string, p Param) string {
	return "opt" + strings.TrimPrefix(net.Name, "net") + "." + moment + "." + p.Name
}

// f32Dense wraps v as a float32 tensor of shape.
func f32Dense(shape []int, v []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(slices.Clone(shape)...), tensor.WithBacking(v))
}

// stepDense is the "step" entry of a state: a float64 scalar.
func stepDense(step int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{float64(step)}))
}

// stateEntry is one tensor a state must hold for a config.
type stateEntry struct {
	name  string
	shape []int
}

// stateLayout lists the float32 tensors of a state in a fixed order: each net's
// state_dict, then its Adam moments. "step" is not in it.
func stateLayout(cfg Config) []stateEntry {
	var es []stateEntry
	for _, net := range []Net{Generator(cfg), Discriminator(cfg)} {
		ps := net.Params()
		for _, p := range ps {
			es = append(es, stateEntry{net.Name + "." + p.Name, p.Shape})
		}
		for _, m := range []string{"m", "v"} {
			for _, p := range ps {
				if p.Learned {
					es = append(es, stateEntry{momentName(net, m, p), p.Shape})
				}
			}
		}
	}
	return es
}

// CheckState reports, wrapping ErrStateMismatch, the first way state does not fit cfg's
// model: a missing tensor, one of another shape or dtype, a "step" that is not a count, or
// a tensor the model does not have. BatchNorm's num_batches_tracked counters are allowed
// and ignored (they are derived from the step). Backends call it in Load before they
// change anything.
func CheckState(cfg Config, state map[string]*tensor.Dense) error {
	known := make(map[string]bool)
	for _, e := range stateLayout(cfg) {
		known[e.name] = true
		t, ok := state[e.name]
		if !ok || t == nil {
			return fmt.Errorf("%w: it lacks tensor %s %v", ErrStateMismatch, e.name, e.shape)
		}
		if err := checkTensor(e, t); err != nil {
			return err
		}
	}
	if _, err := stateStep(state); err != nil {
		return err
	}
	known["step"] = true

	var extra []string
	for name := range state {
		if !known[name] && !strings.HasSuffix(name, ".num_batches_tracked") {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return fmt.Errorf("%w: tensor %s is not part of this model", ErrStateMismatch, extra[0])
	}
	return nil
}

// checkTensor checks one float32 tensor of a state against its entry.
func checkTensor(e stateEntry, t *tensor.Dense) error {
	if t.Dtype() != tensor.Float32 {
		return fmt.Errorf("%w: tensor %s is %v, this model needs float32",
			ErrStateMismatch, e.name, t.Dtype())
	}
	if shape := []int(t.Shape()); !slices.Equal(shape, e.shape) {
		return fmt.Errorf("%w: tensor %s has shape %v, this model needs %v",
			ErrStateMismatch, e.name, shape, e.shape)
	}
	if t.RequiresIterator() || len(t.Float32s()) != Size(e.shape) {
		return fmt.Errorf("%w: tensor %s is not a contiguous array", ErrStateMismatch, e.name)
	}
	return nil
}

// stateStep reads the "step" entry: a float64 holding a count of steps.
func stateStep(state map[string]*tensor.Dense) (int64, error) {
	t, ok := state["step"]
	if !ok || t == nil {
		return 0, fmt.Errorf("%w: it lacks the step counter \"step\"", ErrStateMismatch)
	}
	if t.Dtype() != tensor.Float64 || t.Size() != 1 || len(t.Float64s()) < 1 {
		return 0, fmt.Errorf("%w: \"step\" is %v of shape %v, want one float64",
			ErrStateMismatch, t.Dtype(), []int(t.Shape()))
	}
	s := t.Float64s()[0]
	if !(s >= 0 && s <= 1<<53) || s != math.Trunc(s) {
		return 0, fmt.Errorf("%w: \"step\" is %g, not a count of steps", ErrStateMismatch, s)
	}
	return int64(s), nil
}
