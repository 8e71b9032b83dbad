package dcgan

import "fmt"

// LayerKind names one module of the PyTorch example's nn.Sequential.
type LayerKind int

// The modules a DCGAN is made of.
const (
	Conv          LayerKind = iota // nn.Conv2d, no bias
	ConvTranspose                  // nn.ConvTranspose2d, no bias
	BatchNorm                      // nn.BatchNorm2d, eps 1e-5, momentum 0.1
	ReLU                           // nn.ReLU
	LeakyReLU                      // nn.LeakyReLU(0.2)
	Tanh                           // nn.Tanh
)

// LeakySlope is the negative slope of D's LeakyReLU.
const LeakySlope = 0.2

// BatchNormEps and BatchNormMomentum are PyTorch's BatchNorm2d defaults.
const (
	BatchNormEps      = 1e-5
	BatchNormMomentum = 0.1
)

func (k LayerKind) String() string {
	return [...]string{"Conv2d", "ConvTranspose2d", "BatchNorm2d", "ReLU", "LeakyReLU", "Tanh"}[k]
}

// Layer is one module with the shapes it sees. Sizes are square: In and Out are the spatial
// sides of its input and output. Index is its position in the PyTorch Sequential `main`, so
// its parameters are named "main.<Index>.weight" and so on.
type Layer struct {
	Kind          LayerKind
	Index         int
	InC, OutC     int
	In, Out       int
	K, Stride, Pd int
}

// Net is G or D as a list of layers, first to last.
type Net struct {
	Name   string // "netG" or "netD", the PyTorch example's variable names
	Layers []Layer
}

// Param is one tensor of a net's state_dict: a learned parameter or a batch-norm buffer.
type Param struct {
	Name    string // PyTorch state_dict key, e.g. "main.1.running_mean"
	Shape   []int
	Learned bool // weight/bias (optimised) rather than running statistics
}

// Generator builds G for cfg: ConvT(nz→ngf·2^(L-1), k4 s1 p0) to 4×4, then ConvT k4 s2 p1
// halving the channels and doubling the side until the last one gives cfg.Channels at
// cfg.ImageSize, BN+ReLU after every ConvT but the last, Tanh at the end.
func Generator(cfg Config) Net {
	ups := log2(cfg.ImageSize) - 2 // stride-2 layers from 4×4 to the image size
	ch := cfg.GenFeatures << (ups - 1)
	var ls []Layer
	add := func(l Layer) {
		l.Index = len(ls)
		ls = append(ls, l)
	}
	add(Layer{Kind: ConvTranspose, InC: cfg.LatentDim, OutC: ch, In: 1, Out: 4, K: 4, Stride: 1})
	add(Layer{Kind: BatchNorm, InC: ch, OutC: ch, In: 4, Out: 4})
	add(Layer{Kind: ReLU, InC: ch, OutC: ch, In: 4, Out: 4})
	side := 4
	for i := 0; i < ups; i++ {
		out := ch / 2
		if i == ups-1 {
			out = cfg.Channels
		}
		add(Layer{Kind: ConvTranspose, InC: ch, OutC: out, In: side, Out: 2 * side,
			K: 4, Stride: 2, Pd: 1})
		ch, side = out, 2*side
		if i == ups-1 {
			add(Layer{Kind: Tanh, InC: ch, OutC: ch, In: side, Out: side})
			break
		}
		add(Layer{Kind: BatchNorm, InC: ch, OutC: ch, In: side, Out: side})
		add(Layer{Kind: ReLU, InC: ch, OutC: ch, In: side, Out: side})
	}
	return Net{Name: "netG", Layers: ls}
}

// Discriminator builds D for cfg: Conv k4 s2 p1 from cfg.Channels to ndf with LeakyReLU (no
// BN), then Conv k4 s2 p1 doubling the channels with BN+LeakyReLU down to 4×4, then
// Conv(→1, k4 s1 p0) giving one logit per image. The PyTorch example's final Sigmoid is
// folded into the loss (BCE on logits); it has no parameters, so the keys still match.
func Discriminator(cfg Config) Net {
	downs := log2(cfg.ImageSize) - 2
	var ls []Layer
	add := func(l Layer) {
		l.Index = len(ls)
		ls = append(ls, l)
	}
	ch, side := cfg.Channels, cfg.ImageSize
	for i := 0; i < downs; i++ {
		out := cfg.DiscFeatures << i
		add(Layer{Kind: Conv, InC: ch, OutC: out, In: side, Out: side / 2, K: 4, Stride: 2, Pd: 1})
		ch, side = out, side/2
		if i > 0 {
			add(Layer{Kind: BatchNorm, InC: ch, OutC: ch, In: side, Out: side})
		}
		add(Layer{Kind: LeakyReLU, InC: ch, OutC: ch, In: side, Out: side})
	}
	add(Layer{Kind: Conv, InC: ch, OutC: 1, In: 4, Out: 1, K: 4, Stride: 1})
	return Net{Name: "netD", Layers: ls}
}

// Params lists the net's state_dict entries in PyTorch's order. Conv weights are
// [out, in, k, k]; ConvTranspose weights are [in, out, k, k], as PyTorch stores them.
// num_batches_tracked is left out: it is an int64 counter, kept by the checkpoint code.
func (n Net) Params() []Param {
	var ps []Param
	for _, l := range n.Layers {
		p := fmt.Sprintf("main.%d.", l.Index)
		switch l.Kind {
		case Conv:
			ps = append(ps, Param{p + "weight", []int{l.OutC, l.InC, l.K, l.K}, true})
		case ConvTranspose:
			ps = append(ps, Param{p + "weight", []int{l.InC, l.OutC, l.K, l.K}, true})
		case BatchNorm:
			ps = append(ps,
				Param{p + "weight", []int{l.InC}, true},
				Param{p + "bias", []int{l.InC}, true},
				Param{p + "running_mean", []int{l.InC}, false},
				Param{p + "running_var", []int{l.InC}, false})
		}
	}
	return ps
}

// Size is the number of float32 values of a shape.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// LearnedSize is the number of optimised float32 values in the net.
func (n Net) LearnedSize() int {
	t := 0
	for _, p := range n.Params() {
		if p.Learned {
			t += Size(p.Shape)
		}
	}
	return t
}
