package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// handResults is a sweep with numbers chosen so every derived column is easy to check:
// the CPU row takes 1000 ms for 64 images and 1e11 flop (64 img/s, 100 GFLOP/s, half of
// a 200 GFLOP/s peak) where PyTorch takes 2000 ms; the GPU row takes 11 ms.
func handResults() *Results {
	sh := Shape{64, 3}
	row := func(dev string, batch int, note string) Row {
		return Row{Job: Job{Device: dev, Shape: sh, Batch: batch}, Flops: 1e11, Note: note}
	}
	cpu := row(CPU, 64, "")
	cpu.Compile = true
	cpu.Ours = &Measurement{StepMS: []float64{1000, 1100, 900}, PeakRSS: 300 << 20}
	cpu.Torch = &Measurement{StepMS: []float64{2000, 2100, 1900}, PeakRSS: 400 << 20}
	cpu.Compiled = &Measurement{Skipped: "torch 1.13 has no torch.compile"}
	gpu := row(CUDA, 64, "")
	gpu.Ours = &Measurement{StepMS: []float64{10, 12, 11}, DeviceMem: 1 << 30}
	gpu.Torch = &Measurement{Error: "torch.cuda.is_available() is False"}
	return &Results{
		Machine: Machine{Date: "2026-01-02", CPU: CPUInfo{Model: "Test CPU", Threads: 2},
			SgemmGFLOPS: 200, SgemmSize: 2048},
		Rows: []Row{cpu, gpu, row(CUDA, 128, "not run: no GPU"),
			row(CUDA, 256, "not run: no GPU")},
		Method: []string{"First sentence."},
	}
}

func TestDerivedColumns(t *testing.T) {
	res := handResults()
	cpu, gpu := res.Rows[0], res.Rows[1]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"cpu img/s", ImgPerSec(cpu.Ours, 64), 64},
		{"cpu GFLOP/s", cpu.GFLOPS(), 100},
		{"cpu % peak", res.PctPeak(cpu), 50},
		{"ours/torch", OverTorch(cpu, cpu.Torch), 2},
		{"gpu img/s", ImgPerSec(gpu.Ours, 64), 64 / 0.011},
		{"gpu % peak (unknown)", res.PctPeak(gpu), 0},
		{"gpu/cpu", res.GPUOverCPU(gpu), 64 / 0.011 / 64},
		{"cpu gpu/cpu", res.GPUOverCPU(cpu), 0},
		{"failed torch", OverTorch(gpu, gpu.Torch), 0},
	} {
		if d := c.got - c.want; d > 1e-9*max(1, c.want) || -d > 1e-9*max(1, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := handResults().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"2026-01-02, cpu-2core-test-cpu.",
		"| 64x64x3 | cpu | 64 | 1000 (900–1100) | 3 | 64.0 | 100 | 50% | 300 MiB | — | " +
			"2000 (1900–2100) | 32.0 | 2.00× | skipped: torch 1.13 has no torch.compile | — | — |",
		"| 64x64x3 | cuda | 64 | 11.0 (10.0–12.0) | 3 | 5818 | 9091 | unknown | — | 1024 MiB | " +
			"failed: torch.cuda.is_available() is False | — | — | — | — | 90.91× |",
		"| 64x64x3 | cuda | 128–256 | not run: no GPU |" + strings.Repeat(" — |", 12),
		"- First sentence.",
	} {
		if !strings.Contains(md, want+"\n") {
			t.Errorf("markdown lacks line\n%s\n---\n%s", want, md)
		}
	}
	// Every table line has the header's number of cells.
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| 64x64x3") || strings.HasPrefix(l, "| image") {
			if n := strings.Count(l, " | ") + 1; n != 16 {
				t.Errorf("%d cells in %q, want 16", n, l)
			}
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := handResults().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("%d records, want header + 4 rows", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []struct {
		row         int
		field, want string
	}{
		{1, "status", "ok"}, {1, "ms_median", "1000"}, {1, "ms_min", "900"},
		{1, "img_per_s", "64"}, {1, "gflop_per_s", "100"}, {1, "pct_peak", "50"},
		{1, "peak_rss_mib", "300"}, {1, "torch_img_per_s", "32"},
		{1, "torch_peak_rss_mib", "400"}, {1, "ours_over_torch", "2"},
		{1, "compile_status", "skipped: torch 1.13 has no torch.compile"},
		{2, "device_mem_mib", "1024"}, {2, "gpu_over_cpu", "90.9091"},
		{2, "torch_status", "failed: torch.cuda.is_available() is False"},
		{3, "status", "not run: no GPU"}, {3, "torch_status", "not run: no GPU"},
		{3, "batch", "128"}, {3, "ms_median", ""}, {4, "batch", "256"},
	} {
		if got := recs[c.row][col[c.field]]; got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.field, got, c.want)
		}
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := handResults().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Results
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Rows) != 4 || back.Rows[0].Ours.StepMS[1] != 1100 ||
		back.Rows[2].Note != "not run: no GPU" || back.Machine.SgemmGFLOPS != 200 {
		t.Errorf("round trip lost data: %+v", back.Rows)
	}
}

// TestWriteChart checks the PNG's size and that each line's colour was drawn.
func TestWriteChart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chart.png")
	if err := handResults().WriteChart(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
		t.Fatalf("chart is %v, want %d×%d", b, chartW, chartH)
	}
	count := make([]int, 2) // lines "64x64x3 cpu" and "64x64x3 cuda"
	for y := 0; y < chartH; y++ {
		for x := 0; x < chartW-plotRight; x++ { // the plot, not the legend
			r, g, b, _ := img.At(x, y).RGBA()
			for i := range count {
				c := chartColors[i]
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B {
					count[i]++
				}
			}
		}
	}
	for i, n := range count {
		if n < 20 {
			t.Errorf("line %d: %d pixels of its colour in the plot, want its markers", i, n)
		}
	}

	empty := &Results{Rows: handResults().Rows[2:]}
	if err := empty.WriteChart(path); err == nil {
		t.Error("a chart of rows that did not run: want an error")
	}
}
