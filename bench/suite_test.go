package bench

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTinySweep runs a whole sweep in this process: one 16×16×1 CPU row of two timed
// steps, a GPU row that cannot run here, no PyTorch; then writes the results folder.
func TestTinySweep(t *testing.T) {
	p := Plan{
		Shapes:    []Shape{{16, 1}},
		Devices:   []string{CPU, CUDA},
		Batches:   map[string][]int{CPU: {4}, CUDA: {32}},
		Steps:     map[string]Steps{CPU: {Warmup: 1, MinReps: 2, MaxReps: 2}},
		LatentDim: 8, GenFeatures: 4, DiscFeatures: 4, Seed: 1,
		NotRun:       map[string]string{CUDA: "not run: CPU-only build"},
		CompileBatch: 4,
	}
	rows, err := p.Rows()
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	s := &Suite{Ours: InProcess(openCPU), TorchNote: "not run: --python off",
		Progress: func(r Row) { seen = append(seen, Line(r)) }}
	if err := s.Run(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || !strings.Contains(seen[0], "ours") ||
		!strings.Contains(seen[1], "not run: CPU-only build") {
		t.Errorf("progress lines %q", seen)
	}
	r := rows[0]
	if !r.Ours.OK() || len(r.Ours.StepMS) != 2 || r.Ours.RSSScope != "cumulative" {
		t.Fatalf("cpu row: %+v", r.Ours)
	}
	if status(r.Torch, "") != "not run: --python off" ||
		status(r.Compiled, "") != "not run: --python off" {
		t.Errorf("torch %q, compiled %q", status(r.Torch, ""), status(r.Compiled, ""))
	}
	if rows[1].Ours != nil {
		t.Errorf("a not-run row was measured: %+v", rows[1].Ours)
	}

	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	res := &Results{Machine: Describe(day), Rows: rows, Method: Method(p, 2, true)}
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := res.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Errorf("wrote %v, want markdown, csv, json and chart", paths)
	}
	f, err := os.Open(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][6] != "ok" || recs[1][7] != "2" {
		t.Errorf("csv %v, %v", recs, err)
	}
}

// TestSuiteDeviceUnavailable: after a device fails to open, its later rows are not tried.
func TestSuiteDeviceUnavailable(t *testing.T) {
	calls := 0
	failing := func(ctx context.Context, j Job) (*Measurement, error) {
		calls++
		m := &Measurement{Stage: "open", Error: "no driver"}
		return m, errors.New(m.Error)
	}
	rows := []Row{{Job: tinyJob(4)}, {Job: tinyJob(8)}}
	s := &Suite{Ours: failing}
	if err := s.Run(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || rows[0].Ours.Error != "no driver" ||
		!strings.Contains(rows[1].Note, "cpu unavailable (no driver)") {
		t.Errorf("calls %d, rows %+v / %q", calls, rows[0].Ours, rows[1].Note)
	}
}

// TestSuiteInterrupted: a cancelled context leaves the rest of the rows marked.
func TestSuiteInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rows := []Row{{Job: tinyJob(4)}, {Job: tinyJob(8)}}
	s := &Suite{Ours: func(context.Context, Job) (*Measurement, error) {
		cancel()
		return &Measurement{StepMS: []float64{1}}, nil
	}}
	if err := s.Run(ctx, rows); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if rows[1].Note != "not run: interrupted" {
		t.Errorf("second row note %q", rows[1].Note)
	}
}

// TestSubprocess drives the child protocol with shell scripts standing in for the child:
// the job arrives as the last argument, the result is the last line of stdout.
func TestSubprocess(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	ok := Subprocess("sh", "-c", `case "$0" in *'"batch":4'*) echo starting; `+
		`echo '{"step_ms":[1.5,2.5],"timer":"wall clock"}';; *) echo '{"error":"no job"}';; esac`)
	m, err := ok(context.Background(), tinyJob(4))
	if err != nil || len(m.StepMS) != 2 || m.StepMS[1] != 2.5 {
		t.Errorf("good child: %+v, %v", m, err)
	}
	m, err = ok(context.Background(), tinyJob(8))
	if err == nil || m.Error != "no job" {
		t.Errorf("child reporting an error: %+v, %v", m, err)
	}
	dies := Subprocess("sh", "-c", "echo cuInit failed >&2; exit 3")
	m, err = dies(context.Background(), tinyJob(4))
	if err == nil || m.Stage != "open" || !strings.Contains(m.Error, "cuInit failed") {
		t.Errorf("dying child: %+v, %v", m, err)
	}
}

// TestSuiteTorchSkip: a device PyTorch cannot use is not handed to it.
func TestSuiteTorchSkip(t *testing.T) {
	rows := []Row{{Job: tinyJob(4), Compile: true}}
	s := &Suite{
		Ours: func(context.Context, Job) (*Measurement, error) {
			return &Measurement{StepMS: []float64{1}}, nil
		},
		Torch:     &Torch{Python: "/nonexistent/python3"},
		TorchSkip: map[string]string{CPU: "not run: no cpu torch"},
	}
	if err := s.Run(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	if got := status(rows[0].Torch, ""); got != "not run: no cpu torch" {
		t.Errorf("torch status %q", got)
	}
	if got := status(rows[0].Compiled, ""); got != "not run: no cpu torch" {
		t.Errorf("compiled status %q", got)
	}
}
