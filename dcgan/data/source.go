package data

import (
	"fmt"
	"strings"
)

// Source is a fixed, indexable set of images, each already converted to Channels() channels
// of Size()×Size() pixels. Sources are safe for concurrent use: the loader's workers call
// Read from several goroutines at once.
type Source interface {
	// Name describes the source for logs, e.g. "mnist train (embedded, 60000 images)".
	Name() string

	// Len is the number of images.
	Len() int

	// Channels is 1 (grayscale) or 3 (RGB).
	Channels() int

	// Size is the side of the square images.
	Size() int

	// Read writes image i, 0 <= i < Len(), into dst as uint8 [C, Size, Size] (planar, rows
	// top to bottom). len(dst) must be Channels()*Size()*Size().
	Read(i int, dst []uint8) error
}

// Labeled is implemented by the sources whose files carry class labels (IDX with a labels
// file, CIFAR-10). Labels()[i] belongs to image i.
type Labeled interface {
	Labels() []uint8
}

// Options choose and shape a source; see Open.
type Options struct {
	Kind     string // one of Kinds(); "" means "mnist"
	Path     string // file or directory, for idx, cifar10 and folder
	Split    string // "train" ("" too) or "test": picks the files inside a directory
	Size     int    // side of the square output images, >= 1 (the model wants a power of two)
	Channels int    // 1 or 3
	Seed     uint64 // synthetic only: which images
	Count    int    // synthetic only: how many images; 0 means 10000
}

// Kind describes one kind of source for the CLI's help.
type Kind struct {
	Name string
	Help string
}

// Kinds lists the kinds Open accepts, the default first.
func Kinds() []Kind {
	return []Kind{
		{"mnist", "MNIST handwritten digits, built into the binary (train 60000, test 10000)"},
		{"idx", "IDX files (MNIST format, e.g. Fashion-MNIST): a directory holding " +
			"train-images-idx3-ubyte[.gz] / t10k-…, or one images file"},
		{"cifar10", "CIFAR-10 binary batches: a directory holding data_batch_*.bin / " +
			"test_batch.bin, or one batch file"},
		{"folder", "a folder of PNG/JPEG images, searched recursively; resized and " +
			"center-cropped as torchvision's Resize+CenterCrop"},
		{"synthetic", "procedural images (gradients and blobs) from a seed, for tests " +
			"and benchmarks"},
	}
}

// Open returns the source opt describes. In-memory kinds (mnist, idx, cifar10) read their
// files whole here; folder lists its files here and decodes each image when it is read;
// synthetic computes each image when it is read.
func Open(opt Options) (Source, error) {
	if opt.Size < 1 {
		return nil, fmt.Errorf("%w: image size must be positive, got %d", ErrOptions, opt.Size)
	}
	if opt.Channels != 1 && opt.Channels != 3 {
		return nil, fmt.Errorf("%w: channels %d: want 1 or 3", ErrOptions, opt.Channels)
	}
	test, err := parseSplit(opt.Split)
	if err != nil {
		return nil, err
	}
	kind := strings.ToLower(opt.Kind)
	needPath := kind == "idx" || kind == "cifar10" || kind == "folder"
	if needPath && opt.Path == "" {
		return nil, fmt.Errorf("%w: data set %q needs a path", ErrOptions, kind)
	}
	if !needPath && opt.Path != "" {
		return nil, fmt.Errorf("%w: data set %q takes no path (got %q)", ErrOptions,
			kind, opt.Path)
	}
	switch kind {
	case "", "mnist":
		return openMNIST(test, opt.Size, opt.Channels)
	case "idx":
		return openIDX(opt.Path, test, opt.Size, opt.Channels)
	case "cifar10":
		return openCIFAR(opt.Path, test, opt.Size, opt.Channels)
	case "folder":
		if test {
			return nil, fmt.Errorf("%w: a folder has no test split", ErrOptions)
		}
		return openFolder(opt.Path, opt.Size, opt.Channels)
	case "synthetic":
		return newSynthetic(opt.Seed, opt.Count, test, opt.Size, opt.Channels)
	}
	names := make([]string, 0, 5)
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	return nil, fmt.Errorf("%w: unknown data set %q (want one of %s)", ErrOptions, opt.Kind,
		strings.Join(names, ", "))
}

// parseSplit reports whether split asks for the test split.
func parseSplit(split string) (test bool, err error) {
	switch strings.ToLower(split) {
	case "", "train":
		return false, nil
	case "test":
		return true, nil
	}
	return false, fmt.Errorf("%w: split %q: want train or test", ErrOptions, split)
}

// checkDst reports a destination slice of the wrong length, a caller's mistake.
func checkDst(s Source, i int, dst []uint8) error {
	if i < 0 || i >= s.Len() {
		return fmt.Errorf("%w: image %d out of range [0, %d) in %s", ErrOptions, i, s.Len(),
			s.Name())
	}
	if want := s.Channels() * s.Size() * s.Size(); len(dst) != want {
		return fmt.Errorf("%w: destination holds %d bytes, want %d", ErrOptions, len(dst), want)
	}
	return nil
}
