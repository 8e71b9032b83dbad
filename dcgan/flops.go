package dcgan

// StepFlops counts the floating-point operations of one training step (Backend.Step), split
// by kind. A multiply-add counts as two operations.
//
// NOTE [step flop count]: the count follows the PyTorch example's step, so that ours and
// PyTorch's GFLOP/s divide the same work:
//
//   - D on real: D forward, D backward (weight gradients; input gradients for every layer
//     but the first, since the real batch needs none);
//   - D on fake: G forward once, then D forward and backward on the detached fake as above;
//   - G through D: D forward again, D backward with input gradients down to the fake
//     images (D's weight gradients are counted too, as PyTorch computes them, although
//     CPU.Step skips them, about 8% of the count: its GFLOP/s is effective), then G
//     backward (weight gradients; input gradients for every layer but the first, since the
//     noise needs none);
//   - the sum of D's two weight gradients, and Adam on D and on G.
//
// A convolution's forward pass is 2·N·Cout·Hout·Wout·Cin·K·K; its backward-data and its
// backward-filter pass are each the same count. A transposed convolution is counted as the
// convolution it is the backward-data pass of (2·N·Cin·Hin·Win·Cout·K·K).
//
// Element-wise work is counted per element with the constants below (a transcendental
// function counts as one operation). Left out: the per-channel work of batch norm
// (statistics finishing, running averages), the mean of sigmoid(D) kept for the stats,
// the finite checks, and noise generation. The element-wise terms are under 1% of the
// total for the DCGAN shapes; the convolutions are the rest.
type StepFlops struct {
	ConvForward        int64 // convolution and transposed-convolution forward passes
	ConvBackwardData   int64 // input gradients of the convolutions
	ConvBackwardFilter int64 // weight gradients of the convolutions
	Elementwise        int64 // batch norm, activations, loss, input normalisation, gradient sum
	Adam               int64 // the optimiser updates of D and G
}

// Per-element operation counts of the element-wise layers (see NOTE [step flop count]).
const (
	FlopsBatchNormForward  = 7  // batch mean 1, variance 3, (x−μ)·(γ/σ)+β 3
	FlopsBatchNormBackward = 11 // Σdy 1, Σdy·x̂ 4, dx 6
	FlopsReLUForward       = 1
	FlopsReLUBackward      = 1
	FlopsLeakyForward      = 2 // compare, multiply
	FlopsLeakyBackward     = 2
	FlopsTanhForward       = 1
	FlopsTanhBackward      = 3  // dy·(1−y²)
	FlopsLoss              = 12 // BCE-with-logits value and gradient, per logit
	FlopsNormalize         = 2  // uint8 → [-1, 1], per input value
	FlopsGradSum           = 1  // D's real and fake gradients added, per D parameter
	FlopsAdam              = 12 // per learned parameter
)

// Conv is the convolution work of the step: forward, backward-data and backward-filter.
func (f StepFlops) Conv() int64 { return f.ConvForward + f.ConvBackwardData + f.ConvBackwardFilter }

// Total is every operation counted.
func (f StepFlops) Total() int64 { return f.Conv() + f.Elementwise + f.Adam }

// StepFLOPs counts one training step of cfg on a batch of n images.
func StepFLOPs(cfg Config, n int) StepFlops {
	g, d := Generator(cfg), Discriminator(cfg)
	nn := int64(n)
	var f StepFlops

	// D on real.
	f.forward(d, nn)
	f.backward(d, nn, false)
	// D on fake.
	f.forward(g, nn)
	f.forward(d, nn)
	f.backward(d, nn, false)
	// G through D.
	f.forward(d, nn)
	f.backward(d, nn, true)
	f.backward(g, nn, false)

	f.Elementwise += 3 * nn * FlopsLoss
	f.Elementwise += nn * int64(cfg.Channels*cfg.ImageSize*cfg.ImageSize) * FlopsNormalize
	f.Elementwise += int64(d.LearnedSize()) * FlopsGradSum
	f.Adam = int64(d.LearnedSize()+g.LearnedSize()) * FlopsAdam
	return f
}

// convFlops is one forward pass of a convolution layer on one image.
func convFlops(l Layer) int64 {
	if l.Kind == ConvTranspose {
		return 2 * int64(l.InC*l.In*l.In) * int64(l.OutC*l.K*l.K)
	}
	return 2 * int64(l.OutC*l.Out*l.Out) * int64(l.InC*l.K*l.K)
}

// forward adds one forward pass of net on n images.
func (f *StepFlops) forward(net Net, n int64) {
	for _, l := range net.Layers {
		elems := n * int64(l.OutC*l.Out*l.Out)
		switch l.Kind {
		case Conv, ConvTranspose:
			f.ConvForward += n * convFlops(l)
		case BatchNorm:
			f.Elementwise += elems * FlopsBatchNormForward
		case ReLU:
			f.Elementwise += elems * FlopsReLUForward
		case LeakyReLU:
			f.Elementwise += elems * FlopsLeakyForward
		case Tanh:
			f.Elementwise += elems * FlopsTanhForward
		}
	}
}

// backward adds one backward pass of net on n images: weight gradients of every
// convolution and input gradients of every layer, except the first layer's input gradient
// unless inputGrad.
func (f *StepFlops) backward(net Net, n int64, inputGrad bool) {
	for i, l := range net.Layers {
		elems := n * int64(l.OutC*l.Out*l.Out)
		switch l.Kind {
		case Conv, ConvTranspose:
			f.ConvBackwardFilter += n * convFlops(l)
			if i > 0 || inputGrad {
				f.ConvBackwardData += n * convFlops(l)
			}
		case BatchNorm:
			f.Elementwise += elems * FlopsBatchNormBackward
		case ReLU:
			f.Elementwise += elems * FlopsReLUBackward
		case LeakyReLU:
			f.Elementwise += elems * FlopsLeakyBackward
		case Tanh:
			f.Elementwise += elems * FlopsTanhBackward
		}
	}
}
