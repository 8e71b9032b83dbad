package dcgan

import "testing"

// benchmarkStep times CPU training steps of cfg on one batch of squares and reports img/s.
// One step runs before the timer starts, so first-touch page faults stay out.
func benchmarkStep(b *testing.B, cfg Config) {
	c := newTestCPU(b, cfg)
	batch := squares(cfg, cfg.BatchSize, 1)
	if err := c.Step(batch); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Step(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*cfg.BatchSize)/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkStep_64x64x3_N64 is the PyTorch example's default configuration.
func BenchmarkStep_64x64x3_N64(b *testing.B) {
	benchmarkStep(b, DefaultConfig())
}

// BenchmarkStep_32x32x1_N128 is the MNIST configuration with batch 128.
func BenchmarkStep_32x32x1_N128(b *testing.B) {
	cfg := DefaultConfig()
	cfg.ImageSize, cfg.Channels, cfg.BatchSize = 32, 1, 128
	benchmarkStep(b, cfg)
}

// BenchmarkStep_32x32x1_N64 is the README's MNIST run.
func BenchmarkStep_32x32x1_N64(b *testing.B) {
	cfg := DefaultConfig()
	cfg.ImageSize, cfg.Channels = 32, 1
	benchmarkStep(b, cfg)
}
