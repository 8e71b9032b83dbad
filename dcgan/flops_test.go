package dcgan

import "testing"

// TestStepFlopsHandCount checks StepFLOPs against a count done by hand for a tiny DCGAN:
// 16×16×1, nz 2, ngf 2, ndf 2, batch 3. The layers (per image):
//
//	G: 0 ConvT 2→4, 1×1→4×4     2·(2·1·1)·(4·4·4)   =  256
//	   1 BN 4@4×4, 2 ReLU        64 values
//	   3 ConvT 4→2, 4×4→8×8     2·(4·4·4)·(2·4·4)   = 4096
//	   4 BN 2@8×8, 5 ReLU        128 values
//	   6 ConvT 2→1, 8×8→16×16   2·(2·8·8)·(1·4·4)   = 4096
//	   7 Tanh                    256 values
//	D: 0 Conv 1→2, 16×16→8×8    2·(2·8·8)·(1·4·4)   = 4096
//	   1 LeakyReLU               128 values
//	   2 Conv 2→4, 8×8→4×4      2·(4·4·4)·(2·4·4)   = 4096
//	   3 BN 4@4×4, 4 LeakyReLU   64 values
//	   5 Conv 4→1, 4×4→1×1      2·(1·1·1)·(4·4·4)   =  128
//
// Learned parameters: G 128+8+128+4+32 = 300, D 32+128+8+64 = 232.
func TestStepFlopsHandCount(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ImageSize, cfg.Channels, cfg.LatentDim = 16, 1, 2
	cfg.GenFeatures, cfg.DiscFeatures, cfg.BatchSize = 2, 2, 3
	const n = 3

	gConv := int64(256 + 4096 + 4096)
	dConv := int64(4096 + 4096 + 128)
	// G forward once, D forward three times (real, fake, fake for G).
	fwd := n * (gConv + 3*dConv)
	// Backward-data: D on real and on fake skip D's first conv; G through D runs all of
	// D's; G skips its first ConvT (the noise needs no gradient).
	data := n * (2*(4096+128) + dConv + (4096 + 4096))
	// Element-wise, per image: G forward and backward once, D forward and backward three
	// times, three losses, the normalised input; then D's gradient sum per parameter.
	gF := 64*7 + 64*1 + 128*7 + 128*1 + 256*1
	gB := 64*11 + 64*1 + 128*11 + 128*1 + 256*3
	dF := 128*2 + 64*7 + 64*2
	dB := 128*2 + 64*11 + 64*2
	elem := int64(n*(gF+gB+3*dF+3*dB+3*12+256*2) + 232)
	want := StepFlops{
		ConvForward:        fwd,
		ConvBackwardData:   data,
		ConvBackwardFilter: fwd,
		Elementwise:        elem,
		Adam:               (300 + 232) * 12,
	}
	if fwd != 100224 || data != 74880 || elem != 33748 {
		t.Fatalf("hand count arithmetic: fwd %d data %d elem %d", fwd, data, elem)
	}

	got := StepFLOPs(cfg, n)
	if got != want {
		t.Errorf("StepFLOPs = %+v\nwant         %+v", got, want)
	}
	if got.Total() != 100224+74880+100224+33748+6384 {
		t.Errorf("Total = %d, want the sum of the parts", got.Total())
	}
}

// TestStepFlopsScaling: per-image work grows with the batch, Adam's does not.
func TestStepFlopsScaling(t *testing.T) {
	cfg := DefaultConfig()
	one, four := StepFLOPs(cfg, 1), StepFLOPs(cfg, 4)
	if four.Conv() != 4*one.Conv() {
		t.Errorf("conv flops at batch 4 = %d, want 4 × %d", four.Conv(), one.Conv())
	}
	if four.Adam != one.Adam || one.Adam == 0 {
		t.Errorf("adam flops %d at batch 1 and %d at batch 4, want equal and positive",
			one.Adam, four.Adam)
	}
}

// TestStepFlopsDefault compares the PyTorch example's configuration with the independent
// estimate the project started from: about 2.5 GFLOP per image and step, convolutions
// making up nearly all of it.
func TestStepFlopsDefault(t *testing.T) {
	f := StepFLOPs(DefaultConfig(), 64)
	perImage := float64(f.Total()) / 64
	if perImage < 2.4e9 || perImage > 2.6e9 {
		t.Errorf("64×64×3 step: %.3g flop per image, want about 2.5e9", perImage)
	}
	if frac := float64(f.Conv()) / float64(f.Total()); frac < 0.99 {
		t.Errorf("convolutions are %.3f of the step, want over 0.99", frac)
	}
}
