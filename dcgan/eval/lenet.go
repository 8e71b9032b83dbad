package eval

import (
	"fmt"
	"math"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// The classifier's shape.
const (
	InputSize  = 32 // side of the grayscale images it reads
	NumClasses = 10 // the digits
	FeatureDim = 64 // length of its penultimate features, the FD's space
)

// convLayers are the classifier's convolutions, each k4 s2 p1 (strided, no pooling) with a
// bias and ReLU: 32×32×1 → 16×16×16 → 8×8×32 → 4×4×64.
var convLayers = [3]struct{ inC, outC, in int }{{1, 16, 32}, {16, 32, 16}, {32, 64, 8}}

// flatDim is the length of the last convolution's output, flattened for fc1.
const flatDim = 64 * 4 * 4

// paramShapes lists the classifier's tensors in arena order, under PyTorch-style names.
func paramShapes() []paramShape {
	var ps []paramShape
	for i, l := range convLayers {
		p := fmt.Sprintf("conv%d.", i+1)
		ps = append(ps, paramShape{p + "weight", []int{l.outC, l.inC, 4, 4}},
			paramShape{p + "bias", []int{l.outC}})
	}
	return append(ps,
		paramShape{"fc1.weight", []int{FeatureDim, flatDim}},
		paramShape{"fc1.bias", []int{FeatureDim}},
		paramShape{"fc2.weight", []int{NumClasses, FeatureDim}},
		paramShape{"fc2.bias", []int{NumClasses}})
}

type paramShape struct {
	name  string
	shape []int
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Classifier is a LeNet-like digit classifier for 32×32×1 images: three strided
// convolutions with ReLU, a hidden linear layer of FeatureDim units with ReLU (the
// penultimate features), and a linear layer to NumClasses logits.
//
// Its parameters and their gradients live in one arena each; the buffers for a batch of
// up to MaxN images are allocated by NewClassifier. It is not safe for concurrent use.
type Classifier struct {
	MaxN int

	params, grads []float32   // arenas, in paramShapes order
	named         [][]float32 // params cut per tensor
	namedGrad     [][]float32

	convs    [3]*ref.Conv2D
	fc1, fc2 linear

	x      []float32    // the normalised input batch, [MaxN, 1, 32, 32]
	act    [3][]float32 // the convolutions' outputs after bias and ReLU
	hidden []float32    // fc1's output after ReLU: the features, [MaxN, FeatureDim]
	logits []float32    // [MaxN, NumClasses]
	dAct   [3][]float32 // gradients of act
	dHid   []float32
}

// NewClassifier builds a classifier for batches of up to maxN images with freshly drawn
// weights: He-normal, N(0, 2/fan_in), from stream i of seed for the i-th weight tensor;
// biases zero.
func NewClassifier(maxN int, seed uint64) *Classifier {
	c := newClassifier(maxN)
	for i, p := range paramShapes() {
		if len(p.shape) == 1 {
			continue // a bias
		}
		fanIn := numel(p.shape) / p.shape[0]
		w := c.named[i]
		ref.FillNormal(w, seed, uint64(i))
		std := float32(math.Sqrt(2 / float64(fanIn)))
		for j := range w {
			w[j] *= std
		}
	}
	return c
}

// newClassifier allocates a classifier with zero weights.
func newClassifier(maxN int) *Classifier {
	if maxN < 1 {
		panic(fmt.Sprintf("eval: classifier batch %d", maxN))
	}
	shapes := paramShapes()
	total := 0
	for _, p := range shapes {
		total += numel(p.shape)
	}
	c := &Classifier{MaxN: maxN, params: make([]float32, total), grads: make([]float32, total)}
	off := 0
	for _, p := range shapes {
		n := numel(p.shape)
		c.named = append(c.named, c.params[off:off+n:off+n])
		c.namedGrad = append(c.namedGrad, c.grads[off:off+n:off+n])
		off += n
	}
	for i, l := range convLayers {
		c.convs[i] = ref.NewConv2D(maxN, l.inC, l.outC, l.in, l.in, 4, 2, 1,
			c.named[2*i], c.namedGrad[2*i])
		c.act[i] = make([]float32, maxN*l.outC*l.in*l.in/4)
		c.dAct[i] = make([]float32, len(c.act[i]))
	}
	c.fc1 = linear{in: flatDim, out: FeatureDim, w: c.named[6], b: c.named[7],
		gw: c.namedGrad[6], gb: c.namedGrad[7]}
	c.fc2 = linear{in: FeatureDim, out: NumClasses, w: c.named[8], b: c.named[9],
		gw: c.namedGrad[8], gb: c.namedGrad[9]}
	c.x = make([]float32, maxN*InputSize*InputSize)
	c.hidden = make([]float32, maxN*FeatureDim)
	c.dHid = make([]float32, maxN*FeatureDim)
	c.logits = make([]float32, maxN*NumClasses)
	return c
}

// forward runs the net on c.x[:n·1024] and returns the logits; the features are left in
// c.hidden and every activation is kept for backward.
func (c *Classifier) forward(n int) []float32 {
	in := c.x[:n*InputSize*InputSize]
	for i, l := range convLayers {
		y := c.act[i][:n*l.outC*l.in*l.in/4]
		c.convs[i].Forward(in, y, n)
		addChannelBias(y, c.named[2*i+1], n, l.outC, l.in*l.in/4)
		ref.ReLUForward(y, y)
		in = y
	}
	h := c.hidden[:n*FeatureDim]
	c.fc1.forward(in, h, n)
	ref.ReLUForward(h, h)
	logits := c.logits[:n*NumClasses]
	c.fc2.forward(h, logits, n)
	return logits
}

// backward sets the parameter gradients from dlogits, the loss's gradient by the logits
// of the last forward of n images.
func (c *Classifier) backward(dlogits []float32, n int) {
	h, dh := c.hidden[:n*FeatureDim], c.dHid[:n*FeatureDim]
	c.fc2.backward(h, dlogits, dh, n)
	ref.ReLUBackward(h, dh, dh)

	last := len(convLayers) - 1
	flat, dflat := c.act[last][:n*flatDim], c.dAct[last][:n*flatDim]
	c.fc1.backward(flat, dh, dflat, n)
	for i := last; i >= 0; i-- {
		l := convLayers[i]
		hw := l.in * l.in / 4
		y, dy := c.act[i][:n*l.outC*hw], c.dAct[i][:n*l.outC*hw]
		ref.ReLUBackward(y, dy, dy)
		channelBiasGrad(dy, c.namedGrad[2*i+1], n, l.outC, hw)
		if i == 0 {
			c.convs[0].Backward(c.x[:n*InputSize*InputSize], dy, nil, n)
			break
		}
		pl := convLayers[i-1]
		dx := c.dAct[i-1][:n*pl.outC*pl.in*pl.in/4]
		c.convs[i].Backward(c.act[i-1][:len(dx)], dy, dx, n)
	}
}

// Output is what the classifier says about a set of images.
type Output struct {
	N     int
	Feats []float32 // [N, FeatureDim]: the penultimate features
	Probs []float32 // [N, NumClasses]: softmax of the logits
}

// Run classifies imgs, N grayscale images of 32×32 bytes back to back, in batches of MaxN.
func (c *Classifier) Run(imgs []uint8) (Output, error) {
	const px = InputSize * InputSize
	if len(imgs)%px != 0 {
		return Output{}, fmt.Errorf("eval: classify %d bytes: not a whole number of %d×%d images",
			len(imgs), InputSize, InputSize)
	}
	n := len(imgs) / px
	out := Output{N: n, Feats: make([]float32, n*FeatureDim), Probs: make([]float32, n*NumClasses)}
	for i := 0; i < n; i += c.MaxN {
		b := min(c.MaxN, n-i)
		ref.NormalizeU8(imgs[i*px:(i+b)*px], c.x)
		logits := c.forward(b)
		copy(out.Feats[i*FeatureDim:], c.hidden[:b*FeatureDim])
		softmax(logits, out.Probs[i*NumClasses:(i+b)*NumClasses], b)
	}
	return out, nil
}

// Predictions returns the most probable class of each image.
func (o Output) Predictions() []int {
	pred := make([]int, o.N)
	for i := range pred {
		pred[i] = argmax(o.Probs[i*NumClasses : (i+1)*NumClasses])
	}
	return pred
}

func argmax(v []float32) int {
	best := 0
	for j, p := range v {
		if p > v[best] {
			best = j
		}
	}
	return best
}

// Accuracy is the share of images whose predicted class is their label.
func (o Output) Accuracy(labels []uint8) float64 {
	if o.N == 0 {
		return math.NaN()
	}
	right := 0
	for i, p := range o.Predictions() {
		if p == int(labels[i]) {
			right++
		}
	}
	return float64(right) / float64(o.N)
}

// addChannelBias adds b[c] to every pixel of channel c of y ([n, C, hw]).
func addChannelBias(y, b []float32, n, channels, hw int) {
	for i := 0; i < n; i++ {
		for ch := 0; ch < channels; ch++ {
			plane := y[(i*channels+ch)*hw:][:hw]
			v := b[ch]
			for j := range plane {
				plane[j] += v
			}
		}
	}
}

// channelBiasGrad sets gb[c] to the sum of dy over the images and pixels of channel c.
func channelBiasGrad(dy, gb []float32, n, channels, hw int) {
	for ch := 0; ch < channels; ch++ {
		var s float64
		for i := 0; i < n; i++ {
			for _, v := range dy[(i*channels+ch)*hw:][:hw] {
				s += float64(v)
			}
		}
		gb[ch] = float32(s)
	}
}
