package dcgan

import (
	"errors"
	"fmt"
	"math"
)

// Config fixes the architecture and the optimiser of one run. Two runs with the same Config,
// the same data and the same seed take the same steps bit for bit on the CPU backend.
type Config struct {
	ImageSize    int     // side of the square images, a power of two from 16 to 256
	Channels     int     // 1 (grayscale) or 3 (RGB)
	LatentDim    int     // nz: length of the noise vector
	GenFeatures  int     // ngf: channels of G's last hidden layer
	DiscFeatures int     // ndf: channels of D's first layer
	BatchSize    int     // images per step
	LR           float64 // Adam learning rate, both nets
	Beta1        float64 // Adam β1
	Beta2        float64 // Adam β2
	Seed         uint64  // weights, noise and shuffling all derive from it
}

// DefaultConfig returns the PyTorch example's defaults: 64×64×3, batch 64, nz 100,
// ngf = ndf = 64, Adam 2e-4 with β1 0.5.
func DefaultConfig() Config {
	return Config{
		ImageSize:    64,
		Channels:     3,
		LatentDim:    100,
		GenFeatures:  64,
		DiscFeatures: 64,
		BatchSize:    64,
		LR:           2e-4,
		Beta1:        0.5,
		Beta2:        0.999,
		Seed:         1,
	}
}

// Upper bounds that catch a mistyped size before it asks for terabytes: 65536 features or
// noise values, and 2^31 learned parameters in G and D together (34 GB with gradients and
// Adam moments, more than a DCGAN has any use for).
const (
	maxWidth  = 1 << 16
	maxParams = 1 << 31
)

// ErrConfig marks every configuration error, so callers can tell bad flags from failures.
var ErrConfig = errors.New("dcgan: bad config")

// Validate reports the first field that cannot work, naming it and its value.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	if c.ImageSize < 16 || c.ImageSize > 256 || c.ImageSize&(c.ImageSize-1) != 0 {
		return bad("image size %d is not a power of two from 16 to 256", c.ImageSize)
	}
	if c.Channels != 1 && c.Channels != 3 {
		return bad("channels %d: want 1 (grayscale) or 3 (RGB)", c.Channels)
	}
	for _, f := range []struct {
		name   string
		v, max int
	}{
		{"latent dim (nz)", c.LatentDim, maxWidth},
		{"generator features (ngf)", c.GenFeatures, maxWidth},
		{"discriminator features (ndf)", c.DiscFeatures, maxWidth},
		{"batch size", c.BatchSize, math.MaxInt32},
	} {
		if f.v <= 0 {
			return bad("%s must be positive, got %d", f.name, f.v)
		}
		if f.v > f.max {
			return bad("%s %d is more than %d", f.name, f.v, f.max)
		}
	}
	g, d := Generator(c).LearnedSize(), Discriminator(c).LearnedSize()
	if g+d > maxParams {
		return bad("G (%d) and D (%d) would have more than 2^31 learned parameters: "+
			"lower ngf, ndf, nz or the image size", g, d)
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return bad("learning rate must be positive and finite, got %g", c.LR)
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1) {
		return bad("adam betas must lie in [0, 1), got %g and %g", c.Beta1, c.Beta2)
	}
	return nil
}

// log2 returns k with 1<<k == n for a power of two n.
func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}
