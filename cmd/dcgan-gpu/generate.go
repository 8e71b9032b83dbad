package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"math"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// Flags of generate and eval.
const (
	flagCheckpoint = "checkpoint"
	flagN          = "n"
	flagBN         = "bn"
)

func checkpointFlag() cli.Flag {
	return &cli.StringFlag{Name: flagCheckpoint, Aliases: []string{"c"}, Required: true,
		EnvVars: env(flagCheckpoint),
		Usage: "a run's " + dcgan.CheckpointFile + " or " + dcgan.GeneratorFile +
			", or its out dir"}
}

func bnFlag() cli.Flag {
	return &cli.StringFlag{Name: flagBN, Value: "batch", EnvVars: env(flagBN),
		Usage: "batch-norm statistics of G: batch (each batch's own, as training samples " +
			"and PyTorch's example do) or running (the running averages, netG.eval())"}
}

func generateCommand() *cli.Command {
	return &cli.Command{
		Name:  "generate",
		Usage: "make images with a trained generator: a grid, single PNGs, or interpolations",
		Description: "Noise comes from --seed (vector i of a seed is the same whatever --n; " +
			"the run's own seed with --n 64 gives the images of its sample grids) or from " +
			"--latents (.npy, .safetensors or text, one vector per line). --interp walks " +
			"from vector i of --from to vector i of --to for i < --n, on a line (linear) or " +
			"a great circle (slerp), as a grid (a row per walk) and/or an animated GIF. " +
			"Runs on the CPU.",
		Flags: []cli.Flag{
			checkpointFlag(),
			&cli.IntFlag{Name: flagN, Value: 64, DefaultText: "64; 8 walks with --interp",
				Usage: "images, or walks with --interp"},
			&cli.Uint64Flag{Name: flagSeed, DefaultText: "the run's seed",
				Usage: "seed of the noise"},
			&cli.StringFlag{Name: "latents", Usage: "read the noise from this file instead"},
			&cli.StringFlag{Name: "save-latents",
				Usage: "write the noise used to this file (.npy, .safetensors, else text)"},
			&cli.StringFlag{Name: "grid",
				Usage: "write the images as one PNG grid (default generated.png when " +
					"neither --out-dir nor --gif is given)"},
			&cli.IntFlag{Name: "cols", Value: 8, Usage: "images per grid row (not with --interp)"},
			&cli.StringFlag{Name: "out-dir", Usage: "write each image as its own PNG here"},
			bnFlag(),
			&cli.StringFlag{Name: "interp", Usage: "interpolate: linear or slerp"},
			&cli.Uint64Flag{Name: "from", DefaultText: "--seed", Usage: "seed of the walks' starts"},
			&cli.Uint64Flag{Name: "to", DefaultText: "--from + 1", Usage: "seed of the walks' ends"},
			&cli.IntFlag{Name: "frames", Value: 8, Usage: "images per walk, both ends included"},
			&cli.StringFlag{Name: "gif", Usage: "write the walks as an animated GIF, there and back"},
			&cli.IntFlag{Name: "delay", Value: 12, Usage: "GIF frame time in 1/100 s"},
		},
		OnUsageError: onUsageError,
		Action:       generateAction,
	}
}

func generateAction(c *cli.Context) error {
	mode, err := dcgan.ParseBNMode(c.String(flagBN))
	if err != nil {
		return usageError("--%s: %v", flagBN, err)
	}
	if err := checkGenerateFlags(c); err != nil {
		return err
	}
	s, err := dcgan.OpenSampler(c.String(flagCheckpoint))
	if err != nil {
		return err
	}
	defer s.Close()
	cfg := s.Config

	seed := cfg.Seed
	if c.IsSet(flagSeed) {
		seed = c.Uint64(flagSeed)
	}
	var z *tensor.Dense
	cols := c.Int("cols")
	if c.IsSet("interp") {
		images := int64(interpWalks(c)) * int64(c.Int("frames"))
		if err := checkImageCount(images, cfg); err != nil {
			return err
		}
		z, cols = interpLatents(c, cfg.LatentDim, seed)
	} else if z, err = latents(c, cfg.LatentDim, seed); err != nil {
		return err
	}
	if err := checkImageCount(int64(z.Shape()[0]), cfg); err != nil {
		return err
	}
	if p := c.String("save-latents"); p != "" {
		if err := dcgan.WriteLatents(p, z); err != nil {
			return err
		}
	}
	imgs, err := s.Generate(z, mode)
	if err != nil {
		return err
	}
	return writeGenerated(c, imgs, cols)
}

// checkGenerateFlags rejects flags that cannot work together before any work is done.
func checkGenerateFlags(c *cli.Context) error {
	if c.Int(flagN) < 1 || c.Int("cols") < 1 || c.Int("delay") < 0 {
		return usageError("--n and --cols must be positive and --delay non-negative")
	}
	if c.Int(flagN) > maxImages || c.Int("frames") > maxImages {
		return usageError("--n and --frames: at most %d", maxImages)
	}
	if c.IsSet(flagSeed) && c.IsSet("latents") {
		return usageError("--seed and --latents both choose the noise: give one")
	}
	interp := c.String("interp")
	if c.IsSet("interp") {
		if interp != "linear" && interp != "slerp" {
			return usageError("--interp %q: want linear or slerp", interp)
		}
		if c.IsSet("latents") {
			return usageError("--interp walks between seeds (--from, --to), not --latents")
		}
		if c.Int("frames") < 2 {
			return usageError("--frames must be 2 or more, got %d", c.Int("frames"))
		}
	} else {
		for _, f := range []string{"from", "to", "gif"} {
			if c.IsSet(f) {
				return usageError("--%s needs --interp linear or --interp slerp", f)
			}
		}
	}
	return nil
}

// Bounds on one generate, which holds all its noise and images in memory at once: they
// catch a mistyped count before it asks for more memory than the machine has.
const (
	maxImages = 1 << 20 // --n, --frames
	maxValues = 1 << 31 // float32s of the images: 8 GiB
)

// checkImageCount rejects n images of the model's size that would pass maxValues.
func checkImageCount(n int64, cfg dcgan.Config) error {
	per := int64(cfg.Channels * cfg.ImageSize * cfg.ImageSize)
	if n*per <= maxValues {
		return nil
	}
	return usageError("%d images of %d×%d×%d need %.1f GiB at once: ask for at most %d "+
		"(several runs with other seeds make more)", n, cfg.ImageSize, cfg.ImageSize,
		cfg.Channels, float64(4*n*per)/(1<<30), maxValues/per)
}

// latents returns the noise of a plain generate: --n vectors of the seed, or of the file.
func latents(c *cli.Context, nz int, seed uint64) (*tensor.Dense, error) {
	n := c.Int(flagN)
	path := c.String("latents")
	if path == "" {
		return dcgan.SeedLatents(nz, n, seed), nil
	}
	z, err := dcgan.ReadLatents(path, nz)
	if err != nil {
		return nil, err
	}
	if !c.IsSet(flagN) || z.Shape()[0] <= n {
		return z, nil
	}
	return tensor.New(tensor.WithShape(n, nz), tensor.WithBacking(z.Float32s()[:n*nz])), nil
}

// interpLatents returns the walks' noise, walk after walk, and the frames per walk.
func interpLatents(c *cli.Context, nz int, seed uint64) (*tensor.Dense, int) {
	walks := interpWalks(c)
	from := seed
	if c.IsSet("from") {
		from = c.Uint64("from")
	}
	to := from + 1
	if c.IsSet("to") {
		to = c.Uint64("to")
	}
	frames := c.Int("frames")
	a := dcgan.SeedLatents(nz, walks, from).Float32s()
	b := dcgan.SeedLatents(nz, walks, to).Float32s()
	z := make([]float32, 0, walks*frames*nz)
	for i := 0; i < walks; i++ {
		for _, v := range dcgan.Interpolate(a[i*nz:(i+1)*nz], b[i*nz:(i+1)*nz], frames,
			c.String("interp") == "slerp") {
			z = append(z, v...)
		}
	}
	return tensor.New(tensor.WithShape(walks*frames, nz), tensor.WithBacking(z)), frames
}

// interpWalks returns the number of walks: --n, 8 unless given.
func interpWalks(c *cli.Context) int {
	if c.IsSet(flagN) {
		return c.Int(flagN)
	}
	return 8
}

// writeGenerated writes the outputs the flags ask for and names each on stdout.
func writeGenerated(c *cli.Context, imgs *tensor.Dense, cols int) error {
	grid, dir, gifPath := c.String("grid"), c.String("out-dir"), c.String("gif")
	if grid == "" && dir == "" && gifPath == "" {
		grid = "generated.png"
	}
	n := imgs.Shape()[0]
	if grid != "" {
		if err := imageio.SaveGrid(grid, imgs, cols, 2); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "wrote %s (%d images)\n", grid, n)
	}
	if dir != "" {
		if err := saveSingles(dir, imgs); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "wrote %d images to %s\n", n, dir)
	}
	if gifPath != "" {
		if err := saveWalkGIF(gifPath, imgs, cols, c.Int("delay")); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "wrote %s (%d frames)\n", gifPath, 2*cols-2)
	}
	return nil
}

// saveSingles writes image i as dir/000i.png.
func saveSingles(dir string, imgs *tensor.Dense) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("out dir %s: %w", dir, err)
	}
	s := imgs.Shape()
	per := s[1] * s[2] * s[3]
	v := imgs.Float32s()
	for i := 0; i < s[0]; i++ {
		one := tensor.New(tensor.WithShape(1, s[1], s[2], s[3]),
			tensor.WithBacking(v[i*per:(i+1)*per]))
		path := filepath.Join(dir, fmt.Sprintf("%04d.png", i))
		if err := imageio.SaveGrid(path, one, 1, 0); err != nil {
			return err
		}
	}
	return nil
}

// saveWalkGIF writes an animation whose frame k shows frame k of every walk (imgs holds
// the walks one after the other, frames images each), forward then back.
func saveWalkGIF(path string, imgs *tensor.Dense, frames, delay int) error {
	s := imgs.Shape()
	walks, ch, side := s[0]/frames, s[1], s[2]
	per := ch * side * side
	v := imgs.Float32s()
	cols := min(walks, 8)
	var anim gif.GIF
	order := make([]int, 0, 2*frames-2)
	for k := 0; k < frames; k++ {
		order = append(order, k)
	}
	for k := frames - 2; k > 0; k-- {
		order = append(order, k)
	}
	for _, k := range order {
		pics := make([]float32, 0, walks*per)
		for w := 0; w < walks; w++ {
			i := w*frames + k
			pics = append(pics, v[i*per:(i+1)*per]...)
		}
		anim.Image = append(anim.Image, paletted(pics, walks, ch, side, cols, 2))
		anim.Delay = append(anim.Delay, delay)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &anim); err != nil {
		return fmt.Errorf("gif %s: %w", path, err)
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("gif: %w", err)
	}
	return nil
}

// grays is the palette of grayscale frames: index i is gray level i, so no level is lost.
var grays = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// paletted lays out n planar images in [-1, 1] as a grid for a GIF: exact for grayscale,
// dithered to the web palette for color.
func paletted(v []float32, n, ch, side, cols, pad int) *image.Paletted {
	rows := (n + cols - 1) / cols
	r := image.Rect(0, 0, cols*(side+pad)+pad, rows*(side+pad)+pad)
	rgb := image.NewNRGBA(r)
	draw.Draw(rgb, r, image.Black, image.Point{}, draw.Src)
	hw := side * side
	for i := 0; i < n; i++ {
		x0, y0 := pad+(i%cols)*(side+pad), pad+(i/cols)*(side+pad)
		img := v[i*ch*hw : (i+1)*ch*hw]
		for p := 0; p < hw; p++ {
			var c [3]uint8
			for k := range c {
				c[k] = pixel(img[min(k, ch-1)*hw+p])
			}
			rgb.SetNRGBA(x0+p%side, y0+p/side, color.NRGBA{c[0], c[1], c[2], 255})
		}
	}
	if ch == 1 {
		out := image.NewPaletted(r, grays)
		for i := range out.Pix {
			out.Pix[i] = rgb.Pix[4*i]
		}
		return out
	}
	out := image.NewPaletted(r, palette.WebSafe)
	draw.FloydSteinberg.Draw(out, r, rgb, image.Point{})
	return out
}

// pixel maps [-1, 1] to a byte as the PNG grids do.
func pixel(x float32) uint8 {
	f := (float64(x)+1)/2*255 + 0.5
	if !(f > 0) {
		return 0
	}
	return uint8(math.Min(f, 255))
}
