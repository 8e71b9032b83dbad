package cuda

import (
	"fmt"
	"strings"
)

// Pure-Go planning for the cuDNN binding: convolution shapes, the algorithm choice among
// cuDNN's candidates and the shared workspace size. No cgo here, so plain `go test` checks it.

// MathType chooses the arithmetic cuDNN may use for a convolution.
type MathType int

const (
	// MathFP32 is plain float32 multiply-add (CUDNN_FMA_MATH): no tensor cores, closest to
	// the CPU reference.
	MathFP32 MathType = iota
	// MathTF32 lets cuDNN use TF32 tensor cores on Ampere and newer (CUDNN_DEFAULT_MATH):
	// faster, with products rounded to a 10-bit mantissa.
	MathTF32
)

// String is "fp32" or "tf32".
func (m MathType) String() string {
	if m == MathTF32 {
		return "tf32"
	}
	return "fp32"
}

// ConvGeom is one cuDNN convolution in NCHW float32, cross-correlation as PyTorch computes
// it, dilation 1: input x [N, C, H, W], filter w [K, C, R, S], output y [N, K, P, Q]. DCGAN's
// padding and stride are the same along both axes.
type ConvGeom struct {
	N, C, H, W  int
	K, R, S     int
	Pad, Stride int
}

// P is the output height.
func (g ConvGeom) P() int { return (g.H+2*g.Pad-g.R)/g.Stride + 1 }

// Q is the output width.
func (g ConvGeom) Q() int { return (g.W+2*g.Pad-g.S)/g.Stride + 1 }

// String shows the shapes, e.g. "N=64 C=3 64x64 → K=64 32x32 (k4x4 s2 p1)".
func (g ConvGeom) String() string {
	return fmt.Sprintf("N=%d C=%d %dx%d → K=%d %dx%d (k%dx%d s%d p%d)",
		g.N, g.C, g.H, g.W, g.K, g.P(), g.Q(), g.R, g.S, g.Stride, g.Pad)
}

// Validate reports a geometry cuDNN would reject, naming the first bad field.
func (g ConvGeom) Validate() error {
	switch {
	case g.N <= 0 || g.C <= 0 || g.H <= 0 || g.W <= 0:
		return fmt.Errorf("%w: conv input %dx%dx%dx%d", ErrArgs, g.N, g.C, g.H, g.W)
	case g.K <= 0 || g.R <= 0 || g.S <= 0:
		return fmt.Errorf("%w: conv filter %dx%dx%dx%d", ErrArgs, g.K, g.C, g.R, g.S)
	case g.Stride <= 0 || g.Pad < 0:
		return fmt.Errorf("%w: conv stride %d pad %d", ErrArgs, g.Stride, g.Pad)
	case g.H+2*g.Pad < g.R || g.W+2*g.Pad < g.S:
		return fmt.Errorf("%w: conv filter %dx%d larger than padded input %dx%d", ErrArgs,
			g.R, g.S, g.H+2*g.Pad, g.W+2*g.Pad)
	}
	return nil
}

// NOTE [transposed convolution as backward-data] (dcgan/ref/convt.go) in cuDNN's terms:
// PyTorch's ConvTranspose2d(inC→outC) is the gradient of a convolution with respect to its
// input. Take the convolution cuDNN sees with x = the transposed conv's output
// [N, outC, outH, outW] and filter [K=inC, C=outC, k, k]; its output y has the transposed
// conv's input shape [N, inC, inH, inW]. Then
//   ConvTranspose2d forward   = cudnnConvolutionBackwardData (dy := input, dx := output),
//   ConvTranspose2d input grad = cudnnConvolutionForward (x := output grad, y := input grad),
//   ConvTranspose2d weight grad = cudnnConvolutionBackwardFilter (x := output grad,
//                                 dy := input), the filter's layout being PyTorch's
//                                 [inC, outC, k, k] weight as stored.

// TransposedConvGeom returns the convolution whose backward-data is ConvTranspose2d(inC →
// outC, kernel k, stride, pad) on inputs [n, inC, inH, inW]; see NOTE [transposed
// convolution as backward-data]. The output side is (in-1)·stride − 2·pad + k, as PyTorch
// computes it with output_padding 0.
func TransposedConvGeom(n, inC, outC, inH, inW, k, stride, pad int) (ConvGeom, error) {
	outH := (inH-1)*stride - 2*pad + k
	outW := (inW-1)*stride - 2*pad + k
	g := ConvGeom{N: n, C: outC, H: outH, W: outW, K: inC, R: k, S: k, Pad: pad, Stride: stride}
	if err := g.Validate(); err != nil {
		return g, fmt.Errorf("conv-transpose %d→%d on %dx%d: %w", inC, outC, inH, inW, err)
	}
	if g.P() != inH || g.Q() != inW {
		return g, fmt.Errorf("%w: conv-transpose %dx%d → %dx%d does not invert (k%d s%d p%d)",
			ErrArgs, inH, inW, outH, outW, k, stride, pad)
	}
	return g, nil
}

// ConvDir is one of the three cuDNN convolution computations.
type ConvDir int

// The directions, with cuDNN's verbs.
const (
	ConvFwd       ConvDir = iota // cudnnConvolutionForward: y from x and w
	ConvBwdData                  // cudnnConvolutionBackwardData: dx from dy and w
	ConvBwdFilter                // cudnnConvolutionBackwardFilter: dw from x and dy
)

// String is the direction in words: "forward", "backward-data", "backward-filter".
func (d ConvDir) String() string {
	return [...]string{"forward", "backward-data", "backward-filter"}[d]
}

// AlgoSearch says how the algorithm of each direction is chosen, once per shape.
type AlgoSearch int

const (
	// AlgoHeuristic takes cuDNN's ranking without running anything
	// (cudnnGetConvolution*Algorithm_v7).
	AlgoHeuristic AlgoSearch = iota
	// AlgoMeasured times every candidate on the device (cudnnFindConvolution*AlgorithmEx).
	AlgoMeasured
)

// AlgoPerf is one candidate algorithm as cuDNN reports it.
type AlgoPerf struct {
	Algo          int     // cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t
	Status        int     // cudnnStatus_t of the candidate: 0 when it can run
	Time          float32 // milliseconds when measured, negative from the heuristic
	Memory        int64   // workspace bytes it needs
	Deterministic bool    // same bits on every run
	Math          int     // cudnnMathType_t it uses
}

// AlgoPolicy constrains the choice.
type AlgoPolicy struct {
	Search         AlgoSearch
	Deterministic  bool  // only algorithms that give the same bits on every run
	WorkspaceLimit int64 // bytes; 0 means no limit
}

// PickAlgo returns the first usable candidate in cuDNN's order (fastest first when measured,
// best first by the heuristic) that meets the policy. The error lists why each was refused.
func PickAlgo(dir ConvDir, perfs []AlgoPerf, pol AlgoPolicy) (AlgoPerf, error) {
	var why []string
	for _, p := range perfs {
		switch {
		case p.Status != 0:
			why = append(why, fmt.Sprintf("algo %d: status %d", p.Algo, p.Status))
		case pol.Deterministic && !p.Deterministic:
			why = append(why, fmt.Sprintf("algo %d: not deterministic", p.Algo))
		case pol.WorkspaceLimit > 0 && p.Memory > pol.WorkspaceLimit:
			why = append(why, fmt.Sprintf("algo %d: workspace %d > %d bytes",
				p.Algo, p.Memory, pol.WorkspaceLimit))
		default:
			return p, nil
		}
	}
	if len(why) == 0 {
		why = append(why, "cudnn returned no candidates")
	}
	return AlgoPerf{}, fmt.Errorf("%w for conv %s: %s", ErrNoAlgorithm, dir, strings.Join(why, "; "))
}

// WorkspaceAlign is the granularity of the shared workspace.
const WorkspaceAlign = 256

// WorkspacePlan sizes the one workspace all convolutions of a run share: the largest need,
// rounded up to WorkspaceAlign.
type WorkspacePlan struct {
	Bytes   int64  // size to allocate
	Largest string // who needs the most, for messages
}

// Need records that what needs bytes of workspace.
func (w *WorkspacePlan) Need(what string, bytes int64) {
	b := (bytes + WorkspaceAlign - 1) / WorkspaceAlign * WorkspaceAlign
	if b > w.Bytes {
		w.Bytes, w.Largest = b, what
	}
}
