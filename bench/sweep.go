package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// ErrSpec marks a sweep description that cannot work (a bad shape, batch or skip entry).
var ErrSpec = errors.New("bench: bad sweep")

// Devices of a sweep.
const (
	CPU  = "cpu"
	CUDA = "cuda"
)

// Shape is the image shape of a configuration: Size×Size pixels of Channels channels.
type Shape struct {
	Size     int `json:"size"`
	Channels int `json:"channels"`
}

// String writes the shape as "64x64x3".
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.Size, s.Size, s.Channels) }

// ParseShape reads "64x64x3" (or "64x3"); channels default to 3 when only the size is given.
func ParseShape(s string) (Shape, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "x")
	var v []int
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return Shape{}, fmt.Errorf("%w: shape %q: want SIZExSIZExCHANNELS, e.g. 64x64x3",
				ErrSpec, s)
		}
		v = append(v, n)
	}
	var sh Shape
	switch len(v) {
	case 1:
		sh = Shape{v[0], 3}
	case 2:
		sh = Shape{v[0], v[1]}
	case 3:
		if v[0] != v[1] {
			return Shape{}, fmt.Errorf("%w: shape %q: images must be square", ErrSpec, s)
		}
		sh = Shape{v[0], v[2]}
	default:
		return Shape{}, fmt.Errorf("%w: shape %q: want SIZExSIZExCHANNELS", ErrSpec, s)
	}
	cfg := dcgan.DefaultConfig()
	cfg.ImageSize, cfg.Channels = sh.Size, sh.Channels
	if err := cfg.Validate(); err != nil {
		return Shape{}, fmt.Errorf("%w: shape %q: %w", ErrSpec, s, err)
	}
	return sh, nil
}

// ParseShapes reads a comma-separated list of shapes.
func ParseShapes(list string) ([]Shape, error) {
	var out []Shape
	for _, f := range splitList(list) {
		s, err := ParseShape(f)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ParseBatches reads a comma-separated list of positive batch sizes.
func ParseBatches(list string) ([]int, error) {
	var out []int
	for _, f := range splitList(list) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: batch %q is not a positive integer", ErrSpec, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func splitList(list string) []string {
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Job is one configuration measured on one side: the model, the device, how many steps.
// It travels to child processes as JSON.
type Job struct {
	Device       string  `json:"device"` // CPU or CUDA
	Shape        Shape   `json:"shape"`
	Batch        int     `json:"batch"`
	LatentDim    int     `json:"nz"`
	GenFeatures  int     `json:"ngf"`
	DiscFeatures int     `json:"ndf"`
	Seed         uint64  `json:"seed"`
	Warmup       int     `json:"warmup"`   // untimed steps first (NOTE [warm-up])
	MinReps      int     `json:"min_reps"` // timed steps: see NOTE [repetitions]
	MaxReps      int     `json:"max_reps"`
	Target       float64 `json:"target_s"` // wanted timed seconds
}

// Config is the dcgan configuration of the job.
func (j Job) Config() dcgan.Config {
	cfg := dcgan.DefaultConfig()
	cfg.ImageSize, cfg.Channels, cfg.BatchSize = j.Shape.Size, j.Shape.Channels, j.Batch
	cfg.LatentDim, cfg.GenFeatures, cfg.DiscFeatures = j.LatentDim, j.GenFeatures, j.DiscFeatures
	cfg.Seed = j.Seed
	return cfg
}

// Reps is the number of timed steps after a warm-up whose last step took last
// (NOTE [repetitions]). Without a warm-up step it is MinReps.
func (j Job) Reps(last time.Duration) int {
	if last <= 0 || j.Target <= 0 {
		return max(j.MinReps, 1)
	}
	r := int(math.Ceil(j.Target / last.Seconds()))
	return max(min(r, j.MaxReps), j.MinReps, 1)
}

// Steps is how many steps a device runs: warm-up, then the repetition bounds.
type Steps struct {
	Warmup, MinReps, MaxReps int
	Target                   float64 // seconds
}

// DefaultSteps are the step counts per device. A CPU step of 128×128×3 takes seconds, so
// the CPU stops at 3 repetitions once 3 s are timed; GPU steps take milliseconds, and
// cuDNN's algorithm search wants a few warm-up steps.
func DefaultSteps(device string) Steps {
	if device == CUDA {
		return Steps{Warmup: 3, MinReps: 10, MaxReps: 100, Target: 1}
	}
	return Steps{Warmup: 1, MinReps: 3, MaxReps: 10, Target: 3}
}

// Plan describes a sweep.
type Plan struct {
	Shapes       []Shape
	Devices      []string         // CPU and/or CUDA, in the order they run
	Batches      map[string][]int // per device
	Steps        map[string]Steps // per device; DefaultSteps where missing
	LatentDim    int
	GenFeatures  int
	DiscFeatures int
	Seed         uint64
	// NotRun gives a reason for every row of a device that cannot run here, e.g.
	// "not run: CPU-only build".
	NotRun map[string]string
	// Skip lists "SHAPE:DEVICE:BATCH" rows left out on purpose, e.g. "128x128x3:cpu:128",
	// with the reason SkipReason.
	Skip       []string
	SkipReason string
	// CompileBatch is the batch at which the torch.compile rows run (0: none).
	CompileBatch int
}

// Rows lists the sweep's rows: every shape, then every device, then every batch.
func (p Plan) Rows() ([]Row, error) {
	skip := map[string]bool{}
	for _, s := range p.Skip {
		k, err := parseSkip(s)
		if err != nil {
			return nil, err
		}
		skip[k] = true
	}
	var rows []Row
	for _, sh := range p.Shapes {
		for _, dev := range p.Devices {
			if dev != CPU && dev != CUDA {
				return nil, fmt.Errorf("%w: device %q: want cpu or cuda", ErrSpec, dev)
			}
			st, ok := p.Steps[dev]
			if !ok {
				st = DefaultSteps(dev)
			}
			for _, n := range p.Batches[dev] {
				j := Job{Device: dev, Shape: sh, Batch: n, LatentDim: p.LatentDim,
					GenFeatures: p.GenFeatures, DiscFeatures: p.DiscFeatures, Seed: p.Seed,
					Warmup: st.Warmup, MinReps: st.MinReps, MaxReps: st.MaxReps, Target: st.Target}
				r := Row{Job: j, Flops: dcgan.StepFLOPs(j.Config(), n).Total(),
					Compile: n == p.CompileBatch}
				switch {
				case p.NotRun[dev] != "":
					r.Note = p.NotRun[dev]
				case skip[skipKey(sh, dev, n)]:
					r.Note = p.SkipReason
				}
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

func skipKey(s Shape, device string, batch int) string {
	return fmt.Sprintf("%s:%s:%d", s, device, batch)
}

// parseSkip normalises a "SHAPE:DEVICE:BATCH" entry.
func parseSkip(s string) (string, error) {
	f := strings.Split(s, ":")
	if len(f) != 3 || !slices.Contains([]string{CPU, CUDA}, f[1]) {
		return "", fmt.Errorf("%w: skip %q: want SHAPE:DEVICE:BATCH, e.g. 128x128x3:cpu:128",
			ErrSpec, s)
	}
	sh, err := ParseShape(f[0])
	if err != nil {
		return "", err
	}
	n, err := ParseBatches(f[2])
	if err != nil || len(n) != 1 {
		return "", fmt.Errorf("%w: skip %q: bad batch", ErrSpec, s)
	}
	return skipKey(sh, f[1], n[0]), nil
}
