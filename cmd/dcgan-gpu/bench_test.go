package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/bench"
)

// tinyBench is a sweep of one 16×16×1 CPU row of two timed steps, without PyTorch.
var tinyBench = []string{"bench", "--in-process", "--sizes", "16x16x1", "--cpu-batches", "4",
	"--gpu-batches", "32", "--nz", "8", "--ngf", "4", "--ndf", "4", "--warmup", "1",
	"--reps", "2", "--python", "off", "--machine", "test", "--sgemm-size", "128"}

// TestBenchTiny runs `dcgan-gpu bench` end to end in-process and reads its CSV back.
func TestBenchTiny(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(append(append([]string{"dcgan-gpu"}, tinyBench...), "--out", out),
		&stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	dirs, err := filepath.Glob(filepath.Join(out, "*_test"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("results folders %v, %v", dirs, err)
	}
	for _, f := range []string{bench.MarkdownFile, bench.CSVFile, bench.JSONFile,
		bench.ChartFile} {
		if _, err := os.Stat(filepath.Join(dirs[0], f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	f, err := os.Open(filepath.Join(dirs[0], bench.CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d csv records, want header, the cpu row and the cuda row", len(recs))
	}
	cpu, gpu := recs[1], recs[2]
	if cpu[3] != "cpu" || cpu[6] != "ok" || cpu[7] != "2" || cpu[16] != "not run: --python off" {
		t.Errorf("cpu row %q", cpu)
	}
	if !cudaBuild() && (gpu[3] != "cuda" || gpu[6] != "not run: CPU-only build") {
		t.Errorf("cuda row of a CPU-only build: %q", gpu)
	}
	md := stdout.String()
	if !strings.Contains(md, "| 16x16x1 | cpu | 4 |") ||
		!strings.Contains(md, "--python off") {
		t.Errorf("stdout lacks the table row or the command:\n%s", md)
	}
}

// TestBenchChild runs the child protocol: one job as JSON in, one measurement out.
func TestBenchChild(t *testing.T) {
	j := bench.Job{Device: "cpu", Shape: bench.Shape{Size: 16, Channels: 1}, Batch: 2,
		LatentDim: 8, GenFeatures: 4, DiscFeatures: 4, Seed: 1, MinReps: 3, MaxReps: 3}
	spec, _ := json.Marshal(j)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"dcgan-gpu", "bench", "--child", string(spec)}, &stdout,
		&stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m, err := bench.ParseChildResult(stdout.Bytes())
	if err != nil || len(m.StepMS) != 3 || m.PeakRSS <= 0 {
		t.Errorf("child result %+v, %v", m, err)
	}

	stdout.Reset()
	j.Device = "tpu"
	spec, _ = json.Marshal(j)
	code := run([]string{"dcgan-gpu", "bench", "--child", string(spec)}, &stdout, &stderr)
	m, err = bench.ParseChildResult(stdout.Bytes())
	if code == 0 || err != nil || m.Stage != "open" || !strings.Contains(m.Error, "tpu") {
		t.Errorf("child on a bad device: exit %d, %+v, %v", code, m, err)
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--sizes", "48x48x3"},
		{"--cpu-batches", "0"},
		{"--skip", "64x64x3:gpu"},
		{"--device", "tpu"},
		{"--ngf", "0"},
	} {
		code, msg := runCLI(t, append(append([]string{}, tinyBench...), args...)...)
		if code != exitUsage || msg == "" {
			t.Errorf("%v: exit %d (%q), want %d", args, code, msg, exitUsage)
		}
	}
}
