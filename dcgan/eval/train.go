package eval

import (
	"context"
	"fmt"
	"math"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// TrainOptions say how TrainClassifier trains. The zero value of a field means its default.
type TrainOptions struct {
	Epochs int     // passes over the training set; default 3
	Batch  int     // images per step; default 64
	LR     float64 // Adam's learning rate (β 0.9, 0.999); default 1e-3, a tenth in the last epoch
	Seed   uint64  // weights and shuffling; 0 is a seed like any other
	Limit  int     // train on the first Limit images only (tests); 0: all 60000
	// OnEpoch, if set, is called after each epoch with its mean training loss.
	OnEpoch func(epoch int, loss float64)
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Epochs == 0 {
		o.Epochs = 3
	}
	if o.Batch == 0 {
		o.Batch = 64
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	return o
}

// TrainResult sums up a training run.
type TrainResult struct {
	Steps int
	Loss  float64 // mean training loss of the last epoch
}

// classifierStream is the Philox stream of epoch e's shuffle (weights use streams 0…9).
func classifierStream(e int) uint64 { return 1<<40 + uint64(e) }

// TrainClassifier trains a Classifier on the embedded MNIST training set, resized to 32×32
// as the DCGAN trainer resizes it, with softmax cross-entropy and Adam (TestAccuracy
// measures the result). Everything random derives from opts.Seed, so a run repeats bit for bit on
// the same machine and BLAS. It stops early with ctx's error when ctx ends.
func TrainClassifier(ctx context.Context, opts TrainOptions) (*Classifier, TrainResult, error) {
	opts = opts.withDefaults()
	if opts.Epochs < 0 || opts.Batch < 1 || !(opts.LR > 0) || opts.Limit < 0 {
		return nil, TrainResult{}, fmt.Errorf("eval: bad classifier training options %+v", opts)
	}
	train, err := trainDigits(opts.Limit)
	if err != nil {
		return nil, TrainResult{}, err
	}
	n := train.len()
	c := NewClassifier(opts.Batch, opts.Seed)
	m, v := make([]float32, len(c.params)), make([]float32, len(c.params))
	labels := make([]uint8, opts.Batch)
	dlogits := make([]float32, opts.Batch*NumClasses)
	const px = InputSize * InputSize

	var res TrainResult
	for e := 0; e < opts.Epochs; e++ {
		lr := opts.LR
		if e == opts.Epochs-1 && opts.Epochs > 1 {
			lr /= 10
		}
		order := permutation(n, opts.Seed, classifierStream(e))
		var sum float64
		steps := 0
		for i := 0; i+opts.Batch <= n; i += opts.Batch {
			if err := ctx.Err(); err != nil {
				return nil, res, err
			}
			for k, idx := range order[i : i+opts.Batch] {
				ref.NormalizeU8(train.imgs[idx*px:(idx+1)*px], c.x[k*px:])
				labels[k] = train.labels[idx]
			}
			logits := c.forward(opts.Batch)
			sum += crossEntropy(logits, labels, opts.Batch, dlogits)
			c.backward(dlogits, opts.Batch)
			res.Steps++
			ref.AdamUpdate64(c.params, c.grads, m, v, int64(res.Steps), lr, 0.9, 0.999, 1e-8)
			steps++
		}
		res.Loss = sum / float64(max(steps, 1))
		if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
			return nil, res, fmt.Errorf("eval: classifier loss is %g in epoch %d", res.Loss, e+1)
		}
		if opts.OnEpoch != nil {
			opts.OnEpoch(e+1, res.Loss)
		}
	}
	return c, res, nil
}

// trainDigits returns the first limit training digits, or all of them when limit is 0.
func trainDigits(limit int) (digits, error) {
	if limit == 0 {
		return mnist32("train")
	}
	src, err := openMNIST32("train")
	if err != nil {
		return digits{}, err
	}
	idx := make([]int, min(limit, src.Len()))
	for i := range idx {
		idx[i] = i
	}
	return readDigits(src, idx)
}

// TestAccuracy is c's accuracy on the 10000 MNIST test images.
func TestAccuracy(c *Classifier) (float64, error) {
	test, err := mnist32("test")
	if err != nil {
		return 0, err
	}
	out, err := c.Run(test.imgs)
	if err != nil {
		return 0, err
	}
	return out.Accuracy(test.labels), nil
}
