package dcgan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
)

// TestRunEvalHook: the evaluation hook runs every EvalEvery steps and at the last, with the
// backend's generator; its numbers land in those steps' metrics records (logged even off
// the log interval), in the report to OnLog, and in the extra plot.
func TestRunEvalHook(t *testing.T) {
	cfg := tinyConfig()
	src, err := data.Open(data.Options{Kind: "synthetic", Size: cfg.ImageSize,
		Channels: cfg.Channels, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCPU(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var reported []int64
	evals := 0
	opts := TrainOptions{Steps: 7, OutDir: t.TempDir(), LogEvery: 5, Workers: 1,
		EvalEvery: 3, PlotFile: "eval.png",
		Eval: func(gen func(*tensor.Dense) (*tensor.Dense, error)) (map[string]float64, error) {
			imgs, err := gen(tensor.New(tensor.WithShape(2, cfg.LatentDim),
				tensor.WithBacking(make([]float32, 2*cfg.LatentDim))))
			if err != nil {
				return nil, err
			}
			evals++
			return map[string]float64{"eval_px": float64(imgs.Float32s()[0])}, nil
		},
		Plot: func(recs []MetricRecord) []imageio.Panel {
			s := imageio.Series{Label: "px"}
			for _, r := range recs {
				if v, ok := r.Extra["eval_px"]; ok {
					s.X, s.Y = append(s.X, float64(r.Step)), append(s.Y, v)
				}
			}
			return []imageio.Panel{{Title: "px", Series: []imageio.Series{s}}}
		},
		OnLog: func(r Report) {
			if r.Extra != nil {
				reported = append(reported, r.Step)
			}
		},
	}
	if err := Run(context.Background(), cfg, b, src, opts, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadMetrics(filepath.Join(opts.OutDir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	var logged, withExtra []int64
	for _, r := range recs {
		logged = append(logged, r.Step)
		if _, ok := r.Extra["eval_px"]; ok {
			withExtra = append(withExtra, r.Step)
		}
	}
	want := []int64{3, 6, 7}
	if !equal64(logged, []int64{3, 5, 6, 7}) || !equal64(withExtra, want) ||
		!equal64(reported, want) || evals != 3 {
		t.Errorf("records at %v, with numbers at %v, reported at %v, %d evaluations; "+
			"want records at [3 5 6 7] and numbers at %v", logged, withExtra, reported,
			evals, want)
	}
	if _, err := os.Stat(filepath.Join(opts.OutDir, "eval.png")); err != nil {
		t.Errorf("no extra plot: %v", err)
	}
}

func equal64(a, b []int64) bool {
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
