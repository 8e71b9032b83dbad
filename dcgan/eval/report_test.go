package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
)

// fakeRun lays out an out dir as a run with evaluation writes it: a checkpoint, metrics
// with scores on some steps, the loss plot, sample grids and an eval.json.
func fakeRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := dcgan.DefaultConfig()
	cfg.ImageSize, cfg.Channels, cfg.LatentDim, cfg.GenFeatures, cfg.DiscFeatures = 16, 1, 8, 4, 4
	state, err := dcgan.InitState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ck := &dcgan.Checkpoint{Config: cfg, State: state, Data: "synthetic"}
	if err := dcgan.SaveCheckpoint(filepath.Join(dir, dcgan.CheckpointFile), ck); err != nil {
		t.Fatal(err)
	}
	m, err := dcgan.OpenMetrics(filepath.Join(dir, dcgan.MetricsFile), false)
	if err != nil {
		t.Fatal(err)
	}
	var recs []dcgan.MetricRecord
	for s := int64(1); s <= 20; s++ {
		r := dcgan.MetricRecord{Step: s, LossD: 1.4 - 0.02*float64(s), LossG: 0.7 + 0.05*float64(s),
			DX: 0.5, DGZ1: 0.4, DGZ2: 0.45}
		if s%5 == 0 {
			r.Extra = Scores{FD: 300 / float64(s), Score: 1 + float64(s)/4, Covered: int(s / 2),
				KL: 2 / float64(s)}.Extra()
		}
		if err := m.Write(r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	m.Close()
	plot := filepath.Join(dir, dcgan.LossPlotFile)
	if err := imageio.SaveLossPlot(plot, dcgan.LossSeries(recs)); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, dcgan.SamplesDir), 0o755)
	imgs := tensor.New(tensor.WithShape(4, 1, 16, 16), tensor.WithBacking(make([]float32, 4*256)))
	for s := 2; s <= 20; s += 2 {
		p := filepath.Join(dir, dcgan.SamplesDir, fmt.Sprintf("step_%07d.png", s))
		if err := imageio.SaveGrid(p, imgs, 2, 2); err != nil {
			t.Fatal(err)
		}
	}
	floor := Scores{N: 100, FD: 1.5, Score: 9.7, Covered: 10}
	r := &Result{Checkpoint: filepath.Join(dir, dcgan.CheckpointFile), Step: 20, Config: cfg,
		Generated: Scores{N: 100, FD: 15, Score: 6, Covered: 9, KL: 0.1}, Floor: &floor,
		Notes: []string{"images were resized from 16×16 to 32×32"}}
	if err := SaveResult(filepath.Join(dir, ResultFile), r); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestWriteReport: the report holds every part, inlines every image, and draws the
// evaluation plot.
func TestWriteReport(t *testing.T) {
	dir := fakeRun(t)
	if err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{"<h2>Run</h2>", "16×16×1", "synthetic", "<h2>Evaluation</h2>",
		"floor: MNIST train digits", "resized from 16×16", "Last evaluation during training (step 20)",
		"step 2<", "step 20<", "losses and D"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// 8 of the 10 sample grids, the loss plot and the evaluation plot.
	if n := strings.Count(html, `src="data:image/png;base64,`); n != 10 {
		t.Errorf("%d inlined images, want 10", n)
	}
	if strings.Contains(html, `src="samples`) {
		t.Error("the report links to files")
	}
	if st, err := os.Stat(filepath.Join(dir, EvalPlotFile)); err != nil || st.Size() == 0 {
		t.Errorf("no evaluation plot: %v", err)
	}
	if Panels([]dcgan.MetricRecord{{Step: 1}}) != nil {
		t.Error("panels drawn for records without scores")
	}
}

// TestWriteReportEmpty: a dir with nothing of a run is an error, not an empty report.
func TestWriteReportEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := WriteReport(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("empty dir: error %v, want one naming it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ReportFile)); err == nil {
		t.Error("a report was written for an empty dir")
	}
}
