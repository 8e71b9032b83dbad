package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

func TestParseShape(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shape
	}{
		{"64x64x3", Shape{64, 3}},
		{" 32X32X1", Shape{32, 1}},
		{"128x1", Shape{128, 1}},
		{"16", Shape{16, 3}},
	} {
		got, err := ParseShape(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseShape(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "64x32x3", "48x48x3", "64x64x2", "64x64x3x1", "ax4"} {
		if _, err := ParseShape(bad); !errors.Is(err, ErrSpec) {
			t.Errorf("ParseShape(%q) error %v, want ErrSpec", bad, err)
		}
	}
	if got := (Shape{128, 3}).String(); got != "128x128x3" {
		t.Errorf("String = %q", got)
	}
}

func TestParseBatches(t *testing.T) {
	got, err := ParseBatches("16, 32,,64")
	if err != nil || len(got) != 3 || got[0] != 16 || got[2] != 64 {
		t.Errorf("ParseBatches = %v, %v", got, err)
	}
	for _, bad := range []string{"0", "-4", "x", "8,1.5"} {
		if _, err := ParseBatches(bad); !errors.Is(err, ErrSpec) {
			t.Errorf("ParseBatches(%q) error %v, want ErrSpec", bad, err)
		}
	}
}

func TestJobReps(t *testing.T) {
	j := Job{MinReps: 3, MaxReps: 10, Target: 3}
	for _, c := range []struct {
		last time.Duration
		want int
	}{
		{0, 3},                       // no warm-up: the minimum
		{-time.Second, 3},            // nonsense in, the minimum out
		{10 * time.Millisecond, 10},  // cheap: 300, capped at the maximum
		{600 * time.Millisecond, 5},  // 3 s / 0.6 s = 5
		{700 * time.Millisecond, 5},  // 4.29, rounded up
		{999 * time.Millisecond, 4},  // 3.003, rounded up
		{1500 * time.Millisecond, 3}, // 2, raised to the minimum
		{20 * time.Second, 3},        // expensive: the minimum
		{380 * time.Millisecond, 8},  // 7.9, rounded up
		{310 * time.Millisecond, 10}, // 9.68, rounded up
		{290 * time.Millisecond, 10}, // 10.3 → 11, capped
	} {
		if got := j.Reps(c.last); got != c.want {
			t.Errorf("Reps(%v) = %d, want %d", c.last, got, c.want)
		}
	}
}

func TestPlanRows(t *testing.T) {
	p := Plan{
		Shapes:    []Shape{{32, 1}, {64, 3}},
		Devices:   []string{CPU, CUDA},
		Batches:   map[string][]int{CPU: {16, 32}, CUDA: {64}},
		LatentDim: 100, GenFeatures: 64, DiscFeatures: 64, Seed: 7,
		NotRun:       map[string]string{CUDA: "not run: CPU-only build"},
		Skip:         []string{"64x64x3:cpu:32"},
		SkipReason:   "skipped: budget",
		CompileBatch: 16,
	}
	rows, err := p.Rows()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		shape  string
		device string
		batch  int
		note   string
	}{
		{"32x32x1", CPU, 16, ""}, {"32x32x1", CPU, 32, ""},
		{"32x32x1", CUDA, 64, "not run: CPU-only build"},
		{"64x64x3", CPU, 16, ""}, {"64x64x3", CPU, 32, "skipped: budget"},
		{"64x64x3", CUDA, 64, "not run: CPU-only build"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Shape.String() != w.shape || r.Device != w.device || r.Batch != w.batch ||
			r.Note != w.note {
			t.Errorf("row %d = %s %s %d %q, want %+v", i, r.Shape, r.Device, r.Batch, r.Note, w)
		}
		if r.Compile != (w.batch == 16) {
			t.Errorf("row %d: compile %v at batch %d", i, r.Compile, r.Batch)
		}
		cfg := r.Job.Config()
		if f := dcgan.StepFLOPs(cfg, r.Batch).Total(); r.Flops != f || cfg.Seed != 7 {
			t.Errorf("row %d: flops %d (want %d), seed %d", i, r.Flops, f, cfg.Seed)
		}
		st := DefaultSteps(r.Device)
		if r.Warmup != st.Warmup || r.MinReps != st.MinReps || r.MaxReps != st.MaxReps {
			t.Errorf("row %d: steps %d/%d/%d, want the device defaults %+v", i, r.Warmup,
				r.MinReps, r.MaxReps, st)
		}
	}

	p.Skip = []string{"64x64x3:gpu:32"}
	if _, err := p.Rows(); !errors.Is(err, ErrSpec) {
		t.Errorf("bad skip entry: error %v, want ErrSpec", err)
	}
	p.Skip, p.Devices = nil, []string{"tpu"}
	if _, err := p.Rows(); !errors.Is(err, ErrSpec) {
		t.Errorf("bad device: error %v, want ErrSpec", err)
	}
}
