package kernels

// Kernel names one kernel of the fatbin. Package gpu indexes its launchers with it, and a test
// here checks the list against the .cu files both ways, without a GPU.
type Kernel int

// The kernels, by family.
const (
	ReLUForward Kernel = iota
	ReLUBackward
	LeakyReLUForward
	LeakyReLUBackward
	TanhForward
	TanhBackward
	BCELogitsForward
	BCELogitsForwardBackward
	BCELogitsBackward
	AdamUpdate
	NoiseNormal
	NormalizeU8
	CheckFinite
	NumKernels // how many there are; not a kernel
)

var kernelNames = [NumKernels]string{
	ReLUForward:              "relu_forward",
	ReLUBackward:             "relu_backward",
	LeakyReLUForward:         "leaky_relu_forward",
	LeakyReLUBackward:        "leaky_relu_backward",
	TanhForward:              "tanh_forward",
	TanhBackward:             "tanh_backward",
	BCELogitsForward:         "bce_logits_forward",
	BCELogitsForwardBackward: "bce_logits_forward_backward",
	BCELogitsBackward:        "bce_logits_backward",
	AdamUpdate:               "adam_update",
	NoiseNormal:              "noise_normal",
	NormalizeU8:              "normalize_u8",
	CheckFinite:              "check_finite",
}

// String is the kernel's name as the .cu files and the module spell it, e.g. "adam_update".
func (k Kernel) String() string {
	if k < 0 || k >= NumKernels {
		return "kernel(?)"
	}
	return kernelNames[k]
}

// BCEThreads is the block size bce_logits_forward and bce_logits_forward_backward must be
// launched with, as one block (DCGAN_BCE_THREADS in bce.h).
const BCEThreads = 256

// ElementThreads is the block size package gpu launches the element-wise kernels with. Their
// grid-stride loops work with any block size and grid; 256 is a common sweet spot.
const ElementThreads = 256
