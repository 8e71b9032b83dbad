package eval

import (
	"fmt"
	"sync"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
)

// digits is one MNIST split at the classifier's size: images as training sees them
// (resized from 28 to 32 like the trainer's data source) and their labels.
type digits struct {
	imgs   []uint8 // [N, 32, 32]
	labels []uint8
}

var mnistCache [2]struct {
	once sync.Once
	d    digits
	err  error
}

// mnist32 returns the embedded MNIST split ("train" or "test") resized to 32×32, read once
// per process. The slices are shared: do not modify them.
func mnist32(split string) (digits, error) {
	k := 0
	if split == "test" {
		k = 1
	}
	c := &mnistCache[k]
	c.once.Do(func() { c.d, c.err = readMNIST32(split) })
	return c.d, c.err
}

func readMNIST32(split string) (digits, error) {
	src, err := openMNIST32(split)
	if err != nil {
		return digits{}, err
	}
	idx := make([]int, src.Len())
	for i := range idx {
		idx[i] = i
	}
	return readDigits(src, idx)
}

// openMNIST32 opens the embedded split at the classifier's size. The data package parses
// the files once per process; images are resized as they are read.
func openMNIST32(split string) (data.Source, error) {
	src, err := data.Open(data.Options{Kind: "mnist", Split: split, Size: InputSize, Channels: 1})
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if lab, ok := src.(data.Labeled); !ok || len(lab.Labels()) != src.Len() {
		return nil, fmt.Errorf("eval: %s has no labels", src.Name())
	}
	return src, nil
}

// readDigits reads the images of src at idx, with their labels.
func readDigits(src data.Source, idx []int) (digits, error) {
	const px = InputSize * InputSize
	labels := src.(data.Labeled).Labels()
	d := digits{imgs: make([]uint8, len(idx)*px), labels: make([]uint8, len(idx))}
	for k, i := range idx {
		if err := src.Read(i, d.imgs[k*px:(k+1)*px]); err != nil {
			return digits{}, fmt.Errorf("eval: %w", err)
		}
		d.labels[k] = labels[i]
	}
	return d, nil
}

func (d digits) len() int { return len(d.labels) }
