package eval

import (
	"fmt"
	"sync"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// Philox streams of the evaluation's random numbers. They lie far from the streams the
// trainer draws from (the step counts, 2⁶¹ + k for weights, 2⁶² for the fixed noise), so
// evaluating during training neither uses nor disturbs them.
const (
	EvalNoiseStream uint64 = 1 << 60   // the generator's noise
	floorStream     uint64 = 1<<60 + 1 // which training images make the floor
	ceilingStream   uint64 = 1<<60 + 2 // the noise images of the ceiling
	evalChunk              = 500       // images generated and classified at a time
)

// GenerateFunc maps noise, float32 [N, nz], to images, float32 [N, C, H, W] in [-1, 1]:
// a Backend's Generate, or a Sampler's.
type GenerateFunc func(z *tensor.Dense) (*tensor.Dense, error)

// Evaluator scores sets of images against the MNIST test set with a classifier. Building
// one classifies the 10000 test images once; it is not safe for concurrent use.
type Evaluator struct {
	clf  *Classifier
	test Gaussian // the test set's features
}

// NewEvaluator builds an Evaluator with the classifier built into the binary. The test
// set's features are computed once per process and shared.
func NewEvaluator() (*Evaluator, error) {
	clf, err := Shipped(256)
	if err != nil {
		return nil, err
	}
	_, g, err := shippedOnTest()
	if err != nil {
		return nil, err
	}
	return &Evaluator{clf: clf, test: g}, nil
}

// NewEvaluatorWith builds an Evaluator with the classifier clf.
func NewEvaluatorWith(clf *Classifier) (*Evaluator, error) {
	_, g, err := testStats(clf)
	if err != nil {
		return nil, err
	}
	return &Evaluator{clf: clf, test: g}, nil
}

// shipped caches what the built-in classifier says about the test set.
var shipped struct {
	once sync.Once
	out  Output
	g    Gaussian
	err  error
}

func shippedOnTest() (Output, Gaussian, error) {
	shipped.once.Do(func() {
		clf, err := Shipped(256)
		if err != nil {
			shipped.err = err
			return
		}
		shipped.out, shipped.g, shipped.err = testStats(clf)
	})
	return shipped.out, shipped.g, shipped.err
}

// ShippedTestAccuracy is the built-in classifier's accuracy on the 10000 MNIST test images.
func ShippedTestAccuracy() (float64, error) {
	out, _, err := shippedOnTest()
	if err != nil {
		return 0, err
	}
	test, err := mnist32("test")
	if err != nil {
		return 0, err
	}
	return out.Accuracy(test.labels), nil
}

// testStats classifies the test set with clf and fits a Gaussian to the features.
func testStats(clf *Classifier) (Output, Gaussian, error) {
	test, err := mnist32("test")
	if err != nil {
		return Output{}, Gaussian{}, err
	}
	out, err := clf.Run(test.imgs)
	if err != nil {
		return Output{}, Gaussian{}, err
	}
	g, err := FitGaussian(out.Feats, out.N, FeatureDim)
	return out, g, err
}

// Evaluate scores n images of gen from noise drawn from stream EvalNoiseStream of seed,
// generated and classified evalChunk at a time. The same seed gives the same noise, so
// scores of several checkpoints compare on equal terms.
func (e *Evaluator) Evaluate(gen GenerateFunc, nz, n int, seed uint64) (Scores, error) {
	if n < 2 || nz < 1 {
		return Scores{}, fmt.Errorf("eval: evaluate %d images of noise length %d: need 2 or more",
			n, nz)
	}
	z := make([]float32, n*nz)
	ref.FillNormal(z, seed, EvalNoiseStream)
	const px = InputSize * InputSize
	digits := make([]uint8, 0, n*px)
	for i := 0; i < n; i += evalChunk {
		b := min(evalChunk, n-i)
		zc := tensor.New(tensor.WithShape(b, nz), tensor.WithBacking(z[i*nz:(i+b)*nz]))
		imgs, err := gen(zc)
		if err != nil {
			return Scores{}, fmt.Errorf("eval: generate: %w", err)
		}
		if s := imgs.Shape(); len(s) != 4 || s[0] != b {
			return Scores{}, fmt.Errorf("eval: the generator gave %v for %d noise vectors",
				[]int(s), b)
		}
		d, err := ToDigits(imgs)
		if err != nil {
			return Scores{}, err
		}
		digits = append(digits, d...)
	}
	return e.ScoreDigits(digits)
}

// TrainHook returns what a training loop calls every few steps with its backend's
// Generate: it scores n images from noise seed 1, the eval command's default (so that the
// numbers of the last step are those of `dcgan-gpu eval --n n` on the final checkpoint),
// and returns them under the metrics log's keys (Scores.Extra).
func (e *Evaluator) TrainHook(nz, n int) func(gen func(z *tensor.Dense) (*tensor.Dense, error)) (
	map[string]float64, error) {
	return func(gen func(z *tensor.Dense) (*tensor.Dense, error)) (map[string]float64, error) {
		s, err := e.Evaluate(gen, nz, n, 1)
		if err != nil {
			return nil, err
		}
		return s.Extra(), nil
	}
}

// ScoreImages scores float32 images [N, C, H, W] in [-1, 1] (see ToDigits).
func (e *Evaluator) ScoreImages(imgs *tensor.Dense) (Scores, error) {
	d, err := ToDigits(imgs)
	if err != nil {
		return Scores{}, err
	}
	return e.ScoreDigits(d)
}

// ScoreDigits scores grayscale 32×32 images given as bytes, back to back.
func (e *Evaluator) ScoreDigits(digits []uint8) (Scores, error) {
	out, err := e.clf.Run(digits)
	if err != nil {
		return Scores{}, err
	}
	if out.N < 2 {
		return Scores{}, fmt.Errorf("eval: %d images: need 2 or more to score", out.N)
	}
	g, err := FitGaussian(out.Feats, out.N, FeatureDim)
	if err != nil {
		return Scores{}, err
	}
	s := Scores{N: out.N}
	if s.FD, err = FrechetDistance(g, e.test); err != nil {
		return Scores{}, err
	}
	s.Score = ClassifierScore(out.Probs, out.N)
	s.Shares, s.Covered, s.KL = Coverage(out.Predictions())
	s.Confidence = meanConfidence(out.Probs, out.N)
	return s, nil
}

// Floor scores n MNIST training images (a random subset drawn from seed): what a
// generator that drew real digits would get with the same n. The floor of FD is not zero
// because n images estimate the mean and covariance with an error that shrinks with n,
// and because the training and test sets differ a little.
func (e *Evaluator) Floor(n int, seed uint64) (Scores, error) {
	src, err := openMNIST32("train")
	if err != nil {
		return Scores{}, err
	}
	if n < 2 || n > src.Len() {
		return Scores{}, fmt.Errorf("eval: floor of %d images: want 2…%d", n, src.Len())
	}
	train, err := readDigits(src, permutation(src.Len(), seed, floorStream)[:n])
	if err != nil {
		return Scores{}, err
	}
	return e.ScoreDigits(train.imgs)
}

// Ceiling scores n images of uniform noise (every pixel uniform over 0…255, drawn from
// seed): a generator that learnt nothing.
func (e *Evaluator) Ceiling(n int, seed uint64) (Scores, error) {
	if n < 2 {
		return Scores{}, fmt.Errorf("eval: ceiling of %d images: need 2 or more", n)
	}
	const px = InputSize * InputSize
	noise := make([]uint8, n*px)
	key, st := [2]uint32{uint32(seed), uint32(seed >> 32)}, ceilingStream
	for b := 0; b*16 < len(noise); b++ {
		r := ref.Philox4x32([4]uint32{uint32(b), uint32(uint64(b) >> 32), uint32(st),
			uint32(st >> 32)}, key)
		for j := 0; j < 16 && b*16+j < len(noise); j++ {
			noise[b*16+j] = uint8(r[j/4] >> (8 * (j % 4)))
		}
	}
	return e.ScoreDigits(noise)
}
