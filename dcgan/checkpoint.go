package dcgan

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// NOTE [checkpoint format]
//
// A checkpoint is one safetensors file. Its tensors are a backend's State under the same
// names ("netG.main.0.weight", "optD.v.main.2.bias", "step" …) plus, for every batch-norm
// layer, PyTorch's int64 counter "netG.main.1.num_batches_tracked". Its metadata holds
// strings: "format" (CheckpointFormat), "format_version", "config" (the Config as JSON),
// "epoch" and "pos" (the data position of the next batch), and "data" (a description of
// the data set).
//
// There is no random generator state to save: noise is drawn from counter-based streams
// indexed by the step (see NoiseStream), and the shuffle of an epoch derives from the seed
// and the epoch number, so config, step, epoch and pos pin every random number a resumed
// run draws.
//
// The counters count forward passes in training mode, as PyTorch's example does: G runs
// once per step, D three times (on the real batch, on the detached fakes, and on the fakes
// again for G's loss). The example also samples its fixed noise in training mode, which
// adds to G's counter; our sampling leaves batch norm untouched, so it does not. The
// counters only matter to PyTorch when a BatchNorm has momentum None, which DCGAN's do not.

// CheckpointFormat and CheckpointVersion identify the files SaveCheckpoint writes.
const (
	CheckpointFormat  = "dcgan-gpu checkpoint"
	CheckpointVersion = 1
)

// ErrCheckpoint marks every problem with a checkpoint or generator file: missing, corrupt,
// of another format or version, of another architecture, or lacking a tensor.
var ErrCheckpoint = errors.New("dcgan: bad checkpoint")

// Checkpoint is everything a run needs to continue exactly where it stopped.
type Checkpoint struct {
	Config Config
	State  map[string]*tensor.Dense // as Backend.State returns it
	Epoch  int                      // epoch of the next batch
	Pos    int                      // index of the next batch within that epoch
	Data   string                   // description of the data set trained on
	Path   string                   // file it was loaded from; set by LoadCheckpoint

	// How the data set was opened (data.Options' Kind and Path), so that a resume can open
	// it again without being told; empty in checkpoints of version 1 that predate them.
	DataKind, DataPath string
}

// checkpointError names the file and the problem in one line and matches ErrCheckpoint.
type checkpointError struct {
	path    string
	problem string
	err     error // underlying cause, may be nil
}

func (e *checkpointError) Error() string {
	s := "dcgan: checkpoint " + e.path + ": " + e.problem
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *checkpointError) Unwrap() error        { return e.err }
func (e *checkpointError) Is(target error) bool { return target == ErrCheckpoint }

func ckErr(path string, err error, format string, args ...any) error {
	return &checkpointError{path: path, problem: fmt.Sprintf(format, args...), err: err}
}

// tensorSpec is one tensor a config's state must hold.
type tensorSpec struct {
	name  string
	dtype string
	shape []int // nil: any shape of one element
}

// stateSpecs lists the tensors of a backend State for cfg: both nets' state_dicts, Adam's
// moments for the learned parameters, and the step counter.
func stateSpecs(cfg Config) []tensorSpec {
	var specs []tensorSpec
	for _, n := range []struct {
		net Net
		opt string
	}{{Generator(cfg), "optG"}, {Discriminator(cfg), "optD"}} {
		for _, p := range n.net.Params() {
			specs = append(specs, tensorSpec{n.net.Name + "." + p.Name, "F32", p.Shape})
		}
		for _, p := range n.net.Params() {
			if p.Learned {
				specs = append(specs,
					tensorSpec{n.opt + ".m." + p.Name, "F32", p.Shape},
					tensorSpec{n.opt + ".v." + p.Name, "F32", p.Shape})
			}
		}
	}
	return append(specs, tensorSpec{"step", "F64", nil})
}

// batchNormCounters lists the num_batches_tracked names of net with their values after
// step steps (see NOTE [checkpoint format]).
func batchNormCounters(net Net, step int64) map[string]int64 {
	passes := step
	if net.Name == "netD" {
		passes = 3 * step
	}
	m := make(map[string]int64)
	for _, l := range net.Layers {
		if l.Kind == BatchNorm {
			m[fmt.Sprintf("main.%d.num_batches_tracked", l.Index)] = passes
		}
	}
	return m
}

// SaveCheckpoint writes ck to path atomically: a kill at any moment leaves either the old
// file or the new one. It refuses a state that LoadCheckpoint would not accept.
func SaveCheckpoint(path string, ck *Checkpoint) error {
	if err := ck.Config.Validate(); err != nil {
		return fmt.Errorf("dcgan: save checkpoint %s: %w", path, err)
	}
	tensors, err := checkState(ck.State, ck.Config)
	if err != nil {
		return fmt.Errorf("dcgan: save checkpoint %s: %w", path, err)
	}
	step, _ := stepValue(ck.State["step"])
	for _, net := range []Net{Generator(ck.Config), Discriminator(ck.Config)} {
		for name, v := range batchNormCounters(net, step) {
			tensors[net.Name+"."+name] = safetensors.I64([]int{}, []int64{v})
		}
	}

	cfg, err := json.Marshal(configJSON(ck.Config))
	if err != nil {
		return fmt.Errorf("dcgan: save checkpoint %s: %w", path, err)
	}
	f := &safetensors.File{Tensors: tensors, Metadata: map[string]string{
		"format":         CheckpointFormat,
		"format_version": strconv.Itoa(CheckpointVersion),
		"config":         string(cfg),
		"epoch":          strconv.Itoa(ck.Epoch),
		"pos":            strconv.Itoa(ck.Pos),
		"data":           ck.Data,
		"data_kind":      ck.DataKind,
		"data_path":      ck.DataPath,
	}}
	// Temporaries of a save that a kill interrupted are as big as a checkpoint: drop them.
	if err := atomicfile.RemoveStale(path); err != nil {
		return fmt.Errorf("dcgan: save checkpoint: %w", err)
	}
	if err := safetensors.WriteFileAtomic(path, f); err != nil {
		return fmt.Errorf("dcgan: save checkpoint: %w", err)
	}
	return nil
}

// checkState converts state to safetensors tensors, checking that it holds every tensor cfg
// needs with the right dtype and shape. Extra tensors are kept.
func checkState(state map[string]*tensor.Dense, cfg Config) (map[string]safetensors.Tensor, error) {
	out := make(map[string]safetensors.Tensor, len(state))
	for name, d := range state {
		t, err := denseToTensor(d)
		if err != nil {
			return nil, fmt.Errorf("state tensor %s: %w", name, err)
		}
		out[name] = t
	}
	for _, s := range stateSpecs(cfg) {
		if err := s.check(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// check reports whether ts holds s.
func (s tensorSpec) check(ts map[string]safetensors.Tensor) error {
	t, ok := ts[s.name]
	if !ok {
		return fmt.Errorf("tensor %s is missing", s.name)
	}
	if t.DType != s.dtype {
		return fmt.Errorf("tensor %s is %s, want %s", s.name, t.DType, s.dtype)
	}
	if s.shape == nil {
		if safetensors.NumElements(t.Shape) != 1 {
			return fmt.Errorf("tensor %s has shape %v, want one element", s.name, t.Shape)
		}
		return nil
	}
	if !equalShape(t.Shape, s.shape) {
		return fmt.Errorf("tensor %s has shape %v, want %v", s.name, t.Shape, s.shape)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. Every error names the file
// and the problem in one line and matches ErrCheckpoint: a missing, corrupt or truncated
// file, a file that is not a checkpoint (a generator file, say), an unknown format version,
// bad metadata, or a tensor that the saved config's architecture needs and the file lacks
// or holds with another shape. The returned State leaves out the num_batches_tracked
// counters, which backends do not keep; tensors the architecture does not need are passed
// through in State for the backend's Load to judge.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := readSafetensors(path)
	if err != nil {
		return nil, err
	}
	md := f.Metadata
	if md["format"] != CheckpointFormat {
		if _, ok := f.Tensors["main.0.weight"]; ok {
			return nil, ckErr(path, nil, "is a generator file, not a full checkpoint")
		}
		return nil, ckErr(path, nil, "is not a dcgan-gpu checkpoint (format %q)", md["format"])
	}
	if md["format_version"] != strconv.Itoa(CheckpointVersion) {
		return nil, ckErr(path, nil, "format version %q; this build reads version %d",
			md["format_version"], CheckpointVersion)
	}
	ck := &Checkpoint{Data: md["data"], DataKind: md["data_kind"], DataPath: md["data_path"],
		Path: path}
	if ck.Config, err = parseConfig(md["config"]); err != nil {
		return nil, ckErr(path, err, "bad config metadata")
	}
	ck.Epoch, err = strconv.Atoi(md["epoch"])
	if err != nil || ck.Epoch < 0 {
		return nil, ckErr(path, nil, "bad epoch metadata %q", md["epoch"])
	}
	ck.Pos, err = strconv.Atoi(md["pos"])
	if err != nil || ck.Pos < 0 {
		return nil, ckErr(path, nil, "bad pos metadata %q", md["pos"])
	}

	for _, s := range stateSpecs(ck.Config) {
		if err := s.check(f.Tensors); err != nil {
			return nil, ckErr(path, nil, "%v (saved for %s)", err, describeArch(ck.Config))
		}
	}
	ck.State = make(map[string]*tensor.Dense, len(f.Tensors))
	for name, t := range f.Tensors {
		if isCounter(name) {
			continue
		}
		if ck.State[name], err = tensorToDense(t); err != nil {
			return nil, ckErr(path, err, "tensor %s", name)
		}
	}
	if _, err := stepValue(ck.State["step"]); err != nil {
		return nil, ckErr(path, err, "bad step")
	}
	return ck, nil
}

// readSafetensors reads path, telling a missing file from a damaged one.
func readSafetensors(path string) (*safetensors.File, error) {
	f, err := safetensors.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, ckErr(path, os.ErrNotExist, "cannot read")
	case errors.Is(err, safetensors.ErrFormat):
		return nil, ckErr(path, errors.Unwrap(err), "is corrupt or truncated")
	case err != nil:
		return nil, ckErr(path, err, "cannot read")
	}
	return f, nil
}

func isCounter(name string) bool {
	const suffix = ".num_batches_tracked"
	return len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix
}

// CompatibleWith reports whether a run with cfg can resume ck. Everything in Config must
// match: the architecture fields because the tensors would not fit, and the batch size,
// optimiser settings and seed because a resumed run must take the steps a straight run would
// (the data position counts batches, the noise and shuffle derive from the seed). The number
// of epochs or steps is not part of Config and may change between runs.
func (ck *Checkpoint) CompatibleWith(cfg Config) error {
	c := ck.Config
	if describeArch(c) != describeArch(cfg) {
		return ckErr(ck.Path, nil, "was saved for %s; this run is %s",
			describeArch(c), describeArch(cfg))
	}
	if c != cfg {
		return ckErr(ck.Path, nil, "was saved with %s; this run has %s (an exact resume "+
			"needs the same settings)", describeTraining(c), describeTraining(cfg))
	}
	return nil
}

func describeArch(c Config) string {
	return fmt.Sprintf("%d×%d×%d, nz %d, ngf %d, ndf %d",
		c.ImageSize, c.ImageSize, c.Channels, c.LatentDim, c.GenFeatures, c.DiscFeatures)
}

func describeTraining(c Config) string {
	return fmt.Sprintf("batch %d, lr %g, beta1 %g, beta2 %g, seed %d",
		c.BatchSize, c.LR, c.Beta1, c.Beta2, c.Seed)
}

// SaveGenerator writes G's state_dict alone, atomically, under PyTorch's keys
// ("main.0.weight", "main.1.running_mean", "main.1.num_batches_tracked" …), so that the
// example's Generator loads it with load_state_dict(safetensors.torch.load_file(path)).
// state is a backend State (G's tensors under "netG."); the config goes into the metadata.
func SaveGenerator(path string, cfg Config, state map[string]*tensor.Dense) error {
	g := Generator(cfg)
	tensors := make(map[string]safetensors.Tensor)
	for _, p := range g.Params() {
		d, ok := state["netG."+p.Name]
		if !ok {
			return fmt.Errorf("dcgan: save generator %s: state lacks netG.%s", path, p.Name)
		}
		t, err := denseToTensor(d)
		if err != nil {
			return fmt.Errorf("dcgan: save generator %s: netG.%s: %w", path, p.Name, err)
		}
		if t.DType != "F32" || !equalShape(t.Shape, p.Shape) {
			return fmt.Errorf("dcgan: save generator %s: netG.%s is %s %v, want F32 %v",
				path, p.Name, t.DType, t.Shape, p.Shape)
		}
		tensors[p.Name] = t
	}
	step, _ := stepValue(state["step"])
	for name, v := range batchNormCounters(g, step) {
		tensors[name] = safetensors.I64([]int{}, []int64{v})
	}

	cfgJSON, err := json.Marshal(configJSON(cfg))
	if err != nil {
		return fmt.Errorf("dcgan: save generator %s: %w", path, err)
	}
	f := &safetensors.File{Tensors: tensors, Metadata: map[string]string{
		"format": "pt", "dcgan_config": string(cfgJSON),
	}}
	if err := safetensors.WriteFileAtomic(path, f); err != nil {
		return fmt.Errorf("dcgan: save generator: %w", err)
	}
	return nil
}

// LoadGenerator reads a file written by SaveGenerator and returns its config and G's
// tensors under the State names ("netG.main.0.weight" …), ready for sampling.
func LoadGenerator(path string) (Config, map[string]*tensor.Dense, error) {
	f, err := readSafetensors(path)
	if err != nil {
		return Config{}, nil, err
	}
	if f.Metadata["format"] == CheckpointFormat {
		return Config{}, nil, ckErr(path, nil, "is a full checkpoint, not a generator file")
	}
	cfg, err := parseConfig(f.Metadata["dcgan_config"])
	if err != nil {
		return Config{}, nil, ckErr(path, err, "is not a dcgan-gpu generator file")
	}
	state := make(map[string]*tensor.Dense)
	for _, p := range Generator(cfg).Params() {
		s := tensorSpec{p.Name, "F32", p.Shape}
		if err := s.check(f.Tensors); err != nil {
			return Config{}, nil, ckErr(path, nil, "%v (saved for %s)", err, describeArch(cfg))
		}
		if state["netG."+p.Name], err = tensorToDense(f.Tensors[p.Name]); err != nil {
			return Config{}, nil, ckErr(path, err, "tensor %s", p.Name)
		}
	}
	return cfg, state, nil
}

// configFile is Config as stored in metadata, with names that do not change when Go fields
// are renamed.
type configFile struct {
	ImageSize    int     `json:"image_size"`
	Channels     int     `json:"channels"`
	LatentDim    int     `json:"nz"`
	GenFeatures  int     `json:"ngf"`
	DiscFeatures int     `json:"ndf"`
	BatchSize    int     `json:"batch_size"`
	LR           float64 `json:"lr"`
	Beta1        float64 `json:"beta1"`
	Beta2        float64 `json:"beta2"`
	Seed         uint64  `json:"seed"`
}

func configJSON(c Config) configFile { return configFile(c) }

// parseConfig decodes and validates a config written by configJSON.
func parseConfig(s string) (Config, error) {
	if s == "" {
		return Config{}, errors.New("no config")
	}
	var cf configFile
	if err := json.Unmarshal([]byte(s), &cf); err != nil {
		return Config{}, err
	}
	c := Config(cf)
	return c, c.Validate()
}

// stepValue reads the one-element step counter of a State.
func stepValue(d *tensor.Dense) (int64, error) {
	if d == nil {
		return 0, errors.New("no step tensor")
	}
	if d.Size() != 1 {
		return 0, fmt.Errorf("step has shape %v, want one element", d.Shape())
	}
	var v float64
	switch d.Dtype() {
	case tensor.Float64:
		v = d.Float64s()[0]
	case tensor.Int64:
		v = float64(d.Int64s()[0])
	default:
		return 0, fmt.Errorf("step is %v", d.Dtype())
	}
	if !(v >= 0 && v < 1<<53) || v != float64(int64(v)) {
		return 0, fmt.Errorf("step %v is not a count", v)
	}
	return int64(v), nil
}

// denseToTensor copies a dense tensor's values into safetensors form.
func denseToTensor(d *tensor.Dense) (safetensors.Tensor, error) {
	if d == nil {
		return safetensors.Tensor{}, errors.New("nil tensor")
	}
	shape := []int(d.Shape())
	n := safetensors.NumElements(shape)
	var t safetensors.Tensor
	var have int
	switch d.Dtype() {
	case tensor.Float32:
		v := d.Float32s()
		have, t = len(v), safetensors.F32(shape, v[:min(n, len(v))])
	case tensor.Float64:
		v := d.Float64s()
		have, t = len(v), safetensors.F64(shape, v[:min(n, len(v))])
	case tensor.Int64:
		v := d.Int64s()
		have, t = len(v), safetensors.I64(shape, v[:min(n, len(v))])
	case tensor.Uint8:
		v := d.Uint8s()
		have, t = len(v), safetensors.U8(shape, v[:min(n, len(v))])
	default:
		return safetensors.Tensor{}, fmt.Errorf("dtype %v cannot be saved", d.Dtype())
	}
	if have != n || !d.DataOrder().IsRowMajor() {
		return safetensors.Tensor{}, fmt.Errorf("shape %v is not backed by %d contiguous values",
			shape, n)
	}
	return t, nil
}

// tensorToDense decodes a safetensors tensor into a new dense tensor of the same shape.
func tensorToDense(t safetensors.Tensor) (*tensor.Dense, error) {
	var backing any
	var err error
	switch t.DType {
	case "F32":
		backing, err = t.Float32s()
	case "F64":
		backing, err = t.Float64s()
	case "I64":
		backing, err = t.Int64s()
	case "U8":
		backing, err = t.Uint8s()
	default:
		return nil, fmt.Errorf("dtype %s is not supported", t.DType)
	}
	if err != nil {
		return nil, err
	}
	if safetensors.NumElements(t.Shape) == 0 {
		return nil, fmt.Errorf("empty tensor of shape %v", t.Shape)
	}
	return tensor.New(tensor.WithShape(t.Shape...), tensor.WithBacking(backing)), nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
