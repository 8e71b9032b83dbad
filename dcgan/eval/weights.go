package eval

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
)

// WeightsFormat names the classifier's weights files in their metadata.
const (
	WeightsFormat  = "dcgan-gpu lenet"
	weightsVersion = "1"
)

// ShippedPath is where the shipped weights live in the repository; TrainClassifier's
// output goes there to update them (`dcgan-gpu classifier train`).
const ShippedPath = "dcgan/eval/weights/lenet.safetensors"

// The weights folder is embedded whole (it also holds a README), so that the package
// still builds before the first `classifier train` has written the weights.
//
//go:embed weights
var weightsFS embed.FS

// ErrNoWeights is returned by Shipped when the binary was built without the weights.
var ErrNoWeights = errors.New("eval: the classifier weights are not built in")

// Shipped returns the classifier with the weights built into the binary, for batches of
// up to maxN images.
func Shipped(maxN int) (*Classifier, error) {
	b, err := weightsFS.ReadFile("weights/lenet.safetensors")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: run `dcgan-gpu classifier train --out %s` and rebuild",
			ErrNoWeights, ShippedPath)
	}
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	f, err := safetensors.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("eval: built-in weights: %w", err)
	}
	c, err := fromFile(f, maxN)
	if err != nil {
		return nil, fmt.Errorf("eval: built-in weights: %w", err)
	}
	return c, nil
}

// ShippedInfo returns the metadata of the built-in weights (test accuracy, how they were
// trained), or nil when there are none.
func ShippedInfo() map[string]string {
	b, err := weightsFS.ReadFile("weights/lenet.safetensors")
	if err != nil {
		return nil
	}
	f, err := safetensors.Parse(b)
	if err != nil {
		return nil
	}
	return f.Metadata
}

// LoadClassifier reads weights written by Save, for batches of up to maxN images.
func LoadClassifier(path string, maxN int) (*Classifier, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: classifier weights: %w", err)
	}
	c, err := fromFile(f, maxN)
	if err != nil {
		return nil, fmt.Errorf("eval: classifier weights %s: %w", path, err)
	}
	return c, nil
}

// fromFile checks that f holds every tensor of the architecture and copies them in.
func fromFile(f *safetensors.File, maxN int) (*Classifier, error) {
	if f.Metadata["format"] != WeightsFormat {
		return nil, fmt.Errorf("not classifier weights (format %q, want %q)",
			f.Metadata["format"], WeightsFormat)
	}
	if v := f.Metadata["format_version"]; v != weightsVersion {
		return nil, fmt.Errorf("format version %q; this build reads version %s", v, weightsVersion)
	}
	c := newClassifier(maxN)
	for i, p := range paramShapes() {
		t, ok := f.Tensors[p.name]
		if !ok {
			return nil, fmt.Errorf("tensor %s is missing", p.name)
		}
		if !sameShape(t.Shape, p.shape) {
			return nil, fmt.Errorf("tensor %s has shape %v, want %v", p.name, t.Shape, p.shape)
		}
		v, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %w", p.name, err)
		}
		copy(c.named[i], v)
	}
	return c, nil
}

// Save writes the weights to path atomically, with meta added to the file's metadata.
func (c *Classifier) Save(path string, meta map[string]string) error {
	f := &safetensors.File{Tensors: map[string]safetensors.Tensor{}, Metadata: map[string]string{}}
	for k, v := range meta {
		f.Metadata[k] = v
	}
	f.Metadata["format"] = WeightsFormat
	f.Metadata["format_version"] = weightsVersion
	f.Metadata["feature_dim"] = strconv.Itoa(FeatureDim)
	for i, p := range paramShapes() {
		f.Tensors[p.name] = safetensors.F32(p.shape, c.named[i])
	}
	if err := safetensors.WriteFileAtomic(path, f); err != nil {
		return fmt.Errorf("eval: save classifier: %w", err)
	}
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
