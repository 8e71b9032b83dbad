package bench

import (
	"bytes"
	"context"
	_ "embed" // torch_bench.py
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// TorchScript is bench/torch_bench.py, embedded so that a binary copied to a GPU machine
// carries the very script its table compares against. It runs from stdin (python3 -).
//
//go:embed torch_bench.py
var TorchScript []byte

// Torch runs jobs in PyTorch through TorchScript, one Python process per job so that each
// reports its own peak RSS.
type Torch struct {
	Python  string // interpreter with torch, e.g. /usr/bin/python3
	Threads int    // torch.set_num_threads for CPU jobs (0: PyTorch's default)
	TF32    bool   // allow TF32 in cuDNN convolutions and matmuls on CUDA
}

// TorchProbe is what the interpreter's torch reports about itself and the device.
type TorchProbe struct {
	Version     string  `json:"torch"`
	CUDA        string  `json:"cuda"`  // CUDA torch was built with, "" for none
	CuDNN       string  `json:"cudnn"` // cuDNN version torch loads, "" for none
	GPU         string  `json:"gpu"`   // torch.cuda.get_device_name(0), "" without a GPU
	Compile     bool    `json:"compile"`
	Threads     int     `json:"threads"`
	PeakGFLOPS  float64 `json:"mm_gflops"` // best FP32 torch.mm rate on the device, 0: not asked
	PeakMMSize  int     `json:"mm_size"`
	DeviceError string  `json:"device_error,omitempty"`
}

// FindPython returns the first of candidates whose torch imports, with its probe of
// device. It returns an error naming each candidate's failure when none works.
func FindPython(ctx context.Context, candidates []string, device string, threads int,
	tf32 bool) (*Torch, *TorchProbe, error) {
	var msgs []string
	for _, py := range candidates {
		t := &Torch{Python: py, Threads: threads, TF32: tf32}
		p, err := t.Probe(ctx, device)
		if err == nil {
			return t, p, nil
		}
		msgs = append(msgs, err.Error())
	}
	return nil, nil, fmt.Errorf("bench: no python with torch: %s", strings.Join(msgs, "; "))
}

// Probe asks the interpreter for torch's versions and, for device "cuda", the GPU and its
// FP32 matrix-multiply rate (the practical peak the GPU rows are compared with).
func (t *Torch) Probe(ctx context.Context, device string) (*TorchProbe, error) {
	out, err := t.run(ctx, "--probe", "--device", device, "--threads", strconv.Itoa(t.Threads))
	if err != nil {
		return nil, err
	}
	var p TorchProbe
	if err := json.Unmarshal(lastLine(out), &p); err != nil {
		return nil, fmt.Errorf("bench: %s probe: %w", t.Python, err)
	}
	return &p, nil
}

// Run measures j in PyTorch, compiled with torch.compile when compiled is set. A
// configuration PyTorch cannot run (no torch.compile) comes back with Skipped set.
func (t *Torch) Run(ctx context.Context, j Job, compiled bool) (*Measurement, error) {
	args := []string{
		"--device", j.Device,
		"--size", strconv.Itoa(j.Shape.Size), "--channels", strconv.Itoa(j.Shape.Channels),
		"--batch", strconv.Itoa(j.Batch), "--nz", strconv.Itoa(j.LatentDim),
		"--ngf", strconv.Itoa(j.GenFeatures), "--ndf", strconv.Itoa(j.DiscFeatures),
		"--seed", strconv.FormatUint(j.Seed, 10),
		"--warmup", strconv.Itoa(j.Warmup), "--min-reps", strconv.Itoa(j.MinReps),
		"--max-reps", strconv.Itoa(j.MaxReps),
		"--target", strconv.FormatFloat(j.Target, 'g', -1, 64),
		"--threads", strconv.Itoa(t.Threads),
	}
	if compiled {
		args = append(args, "--compile")
	}
	if t.TF32 {
		args = append(args, "--tf32")
	}
	out, err := t.run(ctx, args...)
	if err != nil {
		return &Measurement{Error: err.Error()}, err
	}
	var m Measurement
	if err := json.Unmarshal(lastLine(out), &m); err != nil {
		err = fmt.Errorf("bench: torch result: %w", err)
		return &Measurement{Error: err.Error()}, err
	}
	if m.Error != "" {
		return &m, errors.New("bench: torch: " + m.Error)
	}
	return &m, nil
}

// run starts the interpreter on the embedded script with args and returns its stdout.
func (t *Torch) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, t.Python, append([]string{"-"}, args...)...)
	cmd.Stdin = bytes.NewReader(TorchScript)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: %s torch_bench.py %s: %v: %s", t.Python,
			strings.Join(args, " "), err, tail(stderr.String(), 300))
	}
	return stdout.Bytes(), nil
}

func lastLine(out []byte) []byte {
	s := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return []byte(s)
}
