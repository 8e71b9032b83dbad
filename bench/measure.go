package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
)

// Measurement is what one side (ours, PyTorch, PyTorch compiled) measured for a Job. The
// JSON names are shared with torch_bench.py's output.
type Measurement struct {
	StepMS    []float64 `json:"step_ms"`          // each timed step, in milliseconds
	WarmupMS  []float64 `json:"warmup_ms"`        // the untimed steps, for the record
	Timer     string    `json:"timer"`            // "wall clock" or "cuda events"
	PeakRSS   int64     `json:"peak_rss_bytes"`   // host VmHWM (0: unknown)
	RSSScope  string    `json:"rss_scope"`        // "process" or "cumulative" (in-process runs)
	DeviceMem int64     `json:"device_mem_bytes"` // device memory the run held at most (0: unknown)
	DevMemDef string    `json:"device_mem_def,omitempty"`
	Device    string    `json:"device_name"`       // the backend's own description
	Version   string    `json:"version,omitempty"` // PyTorch's version
	Skipped   string    `json:"skipped,omitempty"` // set instead of the numbers: why not run
	Error     string    `json:"error,omitempty"`   // set when the run failed
	Stage     string    `json:"stage,omitempty"`   // where it failed: "open" or "step"
}

// Summary is the median and range of a measurement's steps.
type Summary struct {
	Reps             int
	Median, Min, Max float64 // ms per step
}

// Summarize returns the median, fastest and slowest step; Reps 0 when nothing was timed.
func (m *Measurement) Summarize() Summary {
	if m == nil || len(m.StepMS) == 0 {
		return Summary{}
	}
	s := slices.Clone(m.StepMS)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Summary{Reps: len(s), Median: med, Min: s[0], Max: s[len(s)-1]}
}

// OK reports whether the measurement holds timed steps.
func (m *Measurement) OK() bool {
	return m != nil && m.Error == "" && m.Skipped == "" && len(m.StepMS) > 0
}

// OpenFunc opens the backend for a device, as the CLI's --device does.
type OpenFunc func(device string, cfg dcgan.Config) (dcgan.Backend, error)

// EventTimer is implemented by device backends that can time their own stream with device
// events (CUDA events). RunJob uses it instead of the wall clock when present.
type EventTimer interface {
	// TimerStart records a start event on the backend's stream.
	TimerStart() error
	// TimerStop records a stop event, waits for it and returns the time between the two.
	TimerStop() (time.Duration, error)
}

// DeviceMemory is implemented by device backends that can say how much device memory they
// have held at most (their allocations: arenas, activations, workspace).
type DeviceMemory interface {
	PeakDeviceMemory() (int64, error)
}

// RunJob measures j on our backend in this process: opens it, builds one batch of
// synthetic images, runs the warm-up and then the timed steps. Each step is timed from
// Step until Stats returns, which waits for a device backend's work; a backend that
// implements EventTimer is timed with its events instead. Failures are reported in the
// Measurement (Error, Stage) as well as returned.
func RunJob(j Job, open OpenFunc) (*Measurement, error) {
	m := &Measurement{Timer: "wall clock", RSSScope: "process"}
	fail := func(stage string, err error) (*Measurement, error) {
		m.Error, m.Stage = err.Error(), stage
		return m, err
	}
	cfg := j.Config()
	batch, err := syntheticBatch(cfg)
	if err != nil {
		return fail("open", err)
	}
	b, err := open(j.Device, cfg)
	if err != nil {
		return fail("open", err)
	}
	defer b.Close()
	m.Device = b.Device()

	timer, events := b.(EventTimer)
	if events {
		m.Timer = "cuda events"
	}
	step := func() (time.Duration, error) {
		if events {
			if err := timer.TimerStart(); err != nil {
				return 0, err
			}
		}
		t0 := time.Now()
		if err := b.Step(batch); err != nil {
			return 0, err
		}
		if _, err := b.Stats(); err != nil {
			return 0, err
		}
		if events {
			return timer.TimerStop()
		}
		return time.Since(t0), nil
	}

	var last time.Duration
	for range j.Warmup {
		if last, err = step(); err != nil {
			return fail("step", err)
		}
		m.WarmupMS = append(m.WarmupMS, ms(last))
	}
	for range j.Reps(last) {
		d, err := step()
		if err != nil {
			return fail("step", err)
		}
		m.StepMS = append(m.StepMS, ms(d))
	}
	m.PeakRSS = PeakRSS()
	if dm, ok := b.(DeviceMemory); ok {
		if m.DeviceMem, err = dm.PeakDeviceMemory(); err != nil {
			return fail("step", err)
		}
		m.DevMemDef = "backend allocations"
	}
	return m, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// syntheticBatch is one batch of the synthetic data set as uint8 [N, C, H, W].
func syntheticBatch(cfg dcgan.Config) (*tensor.Dense, error) {
	src, err := data.Open(data.Options{Kind: "synthetic", Size: cfg.ImageSize,
		Channels: cfg.Channels, Seed: cfg.Seed, Count: cfg.BatchSize})
	if err != nil {
		return nil, fmt.Errorf("bench: synthetic batch: %w", err)
	}
	img := cfg.Channels * cfg.ImageSize * cfg.ImageSize
	px := make([]uint8, cfg.BatchSize*img)
	for i := range cfg.BatchSize {
		if err := src.Read(i, px[i*img:(i+1)*img]); err != nil {
			return nil, fmt.Errorf("bench: synthetic batch: %w", err)
		}
	}
	return tensor.New(tensor.WithShape(cfg.BatchSize, cfg.Channels, cfg.ImageSize,
		cfg.ImageSize), tensor.WithBacking(px)), nil
}

// PeakRSS is this process's peak resident set size (VmHWM) in bytes, 0 where
// /proc/self/status cannot tell.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	return parseVmHWM(f)
}

// parseVmHWM reads the VmHWM line of a /proc/<pid>/status file.
func parseVmHWM(r io.Reader) int64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
