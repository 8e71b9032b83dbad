package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// tinyJob is a DCGAN small enough to step in milliseconds.
func tinyJob(batch int) Job {
	return Job{Device: CPU, Shape: Shape{16, 1}, Batch: batch, LatentDim: 8, GenFeatures: 4,
		DiscFeatures: 4, Seed: 3, Warmup: 1, MinReps: 2, MaxReps: 2, Target: 1}
}

func openCPU(device string, cfg dcgan.Config) (dcgan.Backend, error) {
	if device != CPU {
		return nil, errors.New("test: only cpu")
	}
	return dcgan.NewCPU(cfg)
}

func TestSummarize(t *testing.T) {
	for _, c := range []struct {
		steps            []float64
		med, least, most float64
	}{
		{[]float64{5}, 5, 5, 5},
		{[]float64{9, 1, 5}, 5, 1, 9},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
	} {
		s := (&Measurement{StepMS: c.steps}).Summarize()
		if s.Reps != len(c.steps) || s.Median != c.med || s.Min != c.least || s.Max != c.most {
			t.Errorf("Summarize(%v) = %+v", c.steps, s)
		}
	}
	if s := (*Measurement)(nil).Summarize(); s.Reps != 0 {
		t.Errorf("nil measurement: %+v", s)
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tgo\nVmPeak:\t  900000 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1000 kB\n"
	if got := parseVmHWM(strings.NewReader(status)); got != 12345*1024 {
		t.Errorf("VmHWM = %d, want %d", got, 12345*1024)
	}
	if got := parseVmHWM(strings.NewReader("VmRSS:\t1 kB\n")); got != 0 {
		t.Errorf("no VmHWM line: %d, want 0", got)
	}
	if PeakRSS() <= 0 {
		t.Errorf("PeakRSS of this process = %d, want positive on Linux", PeakRSS())
	}
}

// TestRunJob runs the tiny DCGAN for one warm-up and two timed steps on the CPU.
func TestRunJob(t *testing.T) {
	m, err := RunJob(tinyJob(4), openCPU)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.WarmupMS) != 1 || len(m.StepMS) != 2 || !m.OK() {
		t.Fatalf("warm-up %v, steps %v, ok %v", m.WarmupMS, m.StepMS, m.OK())
	}
	for _, v := range m.StepMS {
		if !(v > 0) {
			t.Errorf("step time %v ms, want positive", v)
		}
	}
	if m.PeakRSS <= 0 || !strings.HasPrefix(m.Device, "cpu") || m.Timer != "wall clock" {
		t.Errorf("rss %d, device %q, timer %q", m.PeakRSS, m.Device, m.Timer)
	}
}

func TestRunJobOpenFails(t *testing.T) {
	j := tinyJob(4)
	j.Device = CUDA
	m, err := RunJob(j, openCPU)
	if err == nil || m.Stage != "open" || !strings.Contains(m.Error, "only cpu") {
		t.Errorf("err %v, stage %q, error %q; want an open failure", err, m.Stage, m.Error)
	}
}
