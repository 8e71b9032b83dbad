package dcgan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// BNMode says which statistics G's batch norms use when sampling.
type BNMode int

const (
	// BatchStats normalises with each batch's own statistics, as PyTorch's example samples
	// (G stays in training mode) and as the sample grids of a run are made. An image then
	// depends a little on the others of its batch.
	BatchStats BNMode = iota
	// RunningStats normalises with the running averages, as netG.eval() does: each image
	// depends on its noise alone.
	RunningStats
)

func (m BNMode) String() string {
	if m == RunningStats {
		return "running"
	}
	return "batch"
}

// ParseBNMode reads "batch" or "running".
func ParseBNMode(s string) (BNMode, error) {
	switch s {
	case "batch":
		return BatchStats, nil
	case "running":
		return RunningStats, nil
	}
	return 0, fmt.Errorf("%w: batch norm mode %q: want batch or running", ErrConfig, s)
}

// GenerateWith is Generate with a choice of batch-norm statistics. With BatchStats it is
// Generate; with RunningStats every image is computed from its own noise alone.
func (c *CPU) GenerateWith(z *tensor.Dense, mode BNMode) (*tensor.Dense, error) {
	if mode == BatchStats {
		return c.Generate(z)
	}
	if c.closed {
		return nil, errClosed
	}
	nz, s := c.cfg.LatentDim, z.Shape()
	if z.Dtype() != tensor.Float32 || len(s) < 2 || s[0] < 1 || s[1] != nz ||
		z.Size() != s[0]*nz || z.RequiresIterator() {
		return nil, fmt.Errorf("dcgan: generate needs float32 noise [N %d], got %v %v",
			nz, z.Dtype(), []int(s))
	}
	total, img := s[0], c.cfg.Channels*c.cfg.ImageSize*c.cfg.ImageSize
	zs, out := z.Float32s(), make([]float32, total*img)
	for i := 0; i < total; i += c.cfg.BatchSize {
		n := min(c.cfg.BatchSize, total-i)
		copy(out[i*img:], c.g.forward(zs[i*nz:(i+n)*nz], n, false, false))
	}
	return f32Dense([]int{total, c.cfg.Channels, c.cfg.ImageSize, c.cfg.ImageSize}, out), nil
}

// Sampler is a trained G on the CPU, loaded from a checkpoint or a generator file, for
// making images. It is not safe for concurrent use.
type Sampler struct {
	Config Config
	Step   int64  // steps G was trained for, or -1 when the file does not tell
	Path   string // the file it was loaded from
	Data   string // the data set it was trained on, when the file tells
	cpu    *CPU
}

// OpenSampler loads G from path: a checkpoint (CheckpointFile), a generator file
// (GeneratorFile, also one written by PyTorch with the config in its metadata), or an out
// dir holding either (the checkpoint first). Errors name the file and match ErrCheckpoint.
func OpenSampler(path string) (*Sampler, error) {
	path, err := modelFile(path)
	if err != nil {
		return nil, err
	}
	f, err := readSafetensors(path)
	if err != nil {
		return nil, err
	}
	s := &Sampler{Path: path, Step: -1}
	var state map[string]*tensor.Dense
	if f.Metadata["format"] == CheckpointFormat {
		ck, err := LoadCheckpoint(path)
		if err != nil {
			return nil, err
		}
		s.Config, state, s.Data, s.Step = ck.Config, ck.State, ck.Data, StepOf(ck.State)
	} else {
		cfg, g, err := LoadGenerator(path)
		if err != nil {
			return nil, err
		}
		if state, err = InitState(cfg); err != nil { // D and the moments stay unused
			return nil, ckErr(path, err, "bad config")
		}
		for name, t := range g {
			state[name] = t
		}
		s.Config = cfg
		s.Step = generatorStep(f, cfg)
	}
	if s.cpu, err = NewCPU(s.Config); err != nil {
		return nil, ckErr(path, err, "bad config")
	}
	if err := s.cpu.Load(state); err != nil {
		return nil, ckErr(path, err, "cannot load")
	}
	return s, nil
}

// modelFile resolves an out dir to the checkpoint or generator file inside it.
func modelFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return path, nil // a file, or a missing path that reading will report
	}
	for _, name := range []string{CheckpointFile, GeneratorFile} {
		p := filepath.Join(path, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ckErr(path, os.ErrNotExist, "is a folder holding neither %s nor %s",
		CheckpointFile, GeneratorFile)
}

// generatorStep reads the steps of a generator file from G's first batch-norm counter,
// which counts G's training passes: one per step (see NOTE [checkpoint format]).
func generatorStep(f *safetensors.File, cfg Config) int64 {
	for _, l := range Generator(cfg).Layers {
		if l.Kind != BatchNorm {
			continue
		}
		t, ok := f.Tensors[fmt.Sprintf("main.%d.num_batches_tracked", l.Index)]
		if !ok {
			return -1
		}
		v, err := t.Int64s()
		if err != nil || len(v) != 1 || v[0] < 0 {
			return -1
		}
		return v[0]
	}
	return -1
}

// Generate runs G on z ([N, nz] float32) and returns images [N, C, H, W] in [-1, 1],
// batch by batch of the config's batch size.
func (s *Sampler) Generate(z *tensor.Dense, mode BNMode) (*tensor.Dense, error) {
	return s.cpu.GenerateWith(z, mode)
}

// Close frees the sampler. It is safe to call twice.
func (s *Sampler) Close() error {
	if s.cpu == nil {
		return nil
	}
	err := s.cpu.Close()
	s.cpu = nil
	return err
}

// SeedLatents returns n noise vectors [n, nz] drawn from seed's fixed-noise stream, the
// stream of a run's sample grids: with the run's seed and n = 64 they are the noise of the
// PNGs in samples/. Vector i of a seed does not depend on n.
func SeedLatents(nz, n int, seed uint64) *tensor.Dense {
	z := make([]float32, n*nz)
	ref.FillNormal(z, seed, FixedNoiseStream())
	return tensor.New(tensor.WithShape(n, nz), tensor.WithBacking(z))
}

// Lerp returns (1−t)·a + t·b.
func Lerp(a, b []float32, t float64) []float32 {
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32((1-t)*float64(a[i]) + t*float64(b[i]))
	}
	return out
}

// Slerp interpolates along the great circle from a to b (Shoemake's formula, applied to
// GAN latents by White, 2016): with ω the angle between them,
// sin((1−t)ω)/sin ω · a + sin(tω)/sin ω · b. Unlike Lerp it keeps the vectors' norm
// (when both ends share it), so the frames stay where N(0, I) puts its mass instead of
// passing near the origin. Nearly parallel ends fall back to Lerp.
func Slerp(a, b []float32, t float64) []float32 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	cos := dot / math.Sqrt(na*nb)
	omega := math.Acos(max(-1, min(1, cos)))
	if math.IsNaN(omega) || math.Sin(omega) < 1e-6 {
		return Lerp(a, b, t)
	}
	wa := math.Sin((1-t)*omega) / math.Sin(omega)
	wb := math.Sin(t*omega) / math.Sin(omega)
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32(wa*float64(a[i]) + wb*float64(b[i]))
	}
	return out
}

// Interpolate returns frames ≥ 2 vectors from a to b, both ends included, evenly spaced
// in t, along a line or (spherical) a great circle.
func Interpolate(a, b []float32, frames int, spherical bool) [][]float32 {
	out := make([][]float32, frames)
	for k := range out {
		t := float64(k) / float64(frames-1)
		if spherical {
			out[k] = Slerp(a, b, t)
		} else {
			out[k] = Lerp(a, b, t)
		}
	}
	return out
}

// ErrLatents marks a latent file that cannot be used.
var ErrLatents = errors.New("dcgan: bad latents file")

func latentErr(path, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrLatents, path, fmt.Sprintf(format, args...))
}

// ReadLatents reads noise vectors of length nz from path and returns them as [N, nz]:
//
//   - .npy: a little-endian float32 or float64 array of shape (N, nz), (N, nz, 1, 1) or
//     (nz,), C or Fortran order (numpy.save);
//   - .safetensors: one F32 or F64 tensor of those shapes, or the one named "z";
//   - .txt (or anything else): one vector per line, numbers separated by spaces, tabs or
//     commas; blank lines and lines starting with # are skipped.
//
// Every value must be finite.
func ReadLatents(path string, nz int) (*tensor.Dense, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dcgan: latents: %w", err)
	}
	var v []float32
	var shape []int
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		v, shape, err = parseNPY(b)
	case ".safetensors":
		v, shape, err = latentTensor(b)
	default:
		v, shape, err = parseLatentText(b, nz)
	}
	if err != nil {
		return nil, latentErr(path, "%v", err)
	}
	n, err := latentCount(shape, nz)
	if err != nil {
		return nil, latentErr(path, "%v", err)
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, latentErr(path, "value %d of vector %d is %g", i%nz, i/nz, x)
		}
	}
	return tensor.New(tensor.WithShape(n, nz), tensor.WithBacking(v)), nil
}

// latentCount checks a shape of latents of length nz and returns how many vectors it holds.
func latentCount(shape []int, nz int) (int, error) {
	switch {
	case len(shape) == 1 && shape[0] == nz:
		return 1, nil
	case len(shape) == 2 && shape[1] == nz && shape[0] > 0:
		return shape[0], nil
	case len(shape) == 4 && shape[1] == nz && shape[2] == 1 && shape[3] == 1 && shape[0] > 0:
		return shape[0], nil
	}
	return 0, fmt.Errorf("shape %v does not hold vectors of length %d (want (N, %d), "+
		"(N, %d, 1, 1) or (%d,))", shape, nz, nz, nz, nz)
}

// npyHeader matches the fields of a .npy header dictionary.
var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// parseNPY decodes a float array written by numpy.save (format versions 1 to 3).
func parseNPY(b []byte) ([]float32, []int, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, nil, errors.New("not a .npy file (bad magic)")
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, nil, errors.New("truncated header")
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return nil, nil, fmt.Errorf(".npy format version %d is not supported", b[6])
	}
	if hlen > len(b)-off {
		return nil, nil, errors.New("truncated header")
	}
	header, body := string(b[off:off+hlen]), b[off+hlen:]
	descr, fortran, shapeText := npyDescr.FindStringSubmatch(header),
		npyFortran.FindStringSubmatch(header), npyShape.FindStringSubmatch(header)
	if descr == nil || fortran == nil || shapeText == nil {
		return nil, nil, fmt.Errorf("cannot read the header %q", header)
	}
	var shape []int
	for _, f := range strings.Split(shapeText[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 {
			return nil, nil, fmt.Errorf("bad shape (%s)", shapeText[1])
		}
		shape = append(shape, d)
	}
	size := 4
	switch descr[1] {
	case "<f4":
	case "<f8":
		size = 8
	default:
		return nil, nil, fmt.Errorf("dtype %q: want little-endian float32 (<f4) or "+
			"float64 (<f8)", descr[1])
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(body) != n*size {
		return nil, nil, fmt.Errorf("%d data bytes for shape %v of %s", len(body), shape, descr[1])
	}
	v := decodeFloats(body, size)
	if fortran[1] == "True" && len(shape) >= 2 {
		v = fromFortran(v, shape)
	}
	return v, shape, nil
}

// decodeFloats reads little-endian float32s (size 4) or float64s (size 8) as float32.
func decodeFloats(b []byte, size int) []float32 {
	v := make([]float32, len(b)/size)
	for i := range v {
		if size == 4 {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		} else {
			v[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	}
	return v
}

// fromFortran reorders column-major values of shape (N, M, 1…) to row-major.
func fromFortran(v []float32, shape []int) []float32 {
	rows, cols := shape[0], len(v)/max(shape[0], 1)
	out := make([]float32, len(v))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[i*cols+j] = v[j*rows+i]
		}
	}
	return out
}

// latentTensor picks the latents out of a safetensors file.
func latentTensor(b []byte) ([]float32, []int, error) {
	f, err := safetensors.Parse(b)
	if err != nil {
		return nil, nil, err
	}
	t, ok := f.Tensors["z"]
	if !ok {
		if len(f.Tensors) != 1 {
			return nil, nil, fmt.Errorf("%d tensors and none named \"z\"", len(f.Tensors))
		}
		for _, only := range f.Tensors {
			t = only
		}
	}
	switch t.DType {
	case "F32":
		v, err := t.Float32s()
		return v, t.Shape, err
	case "F64":
		v64, err := t.Float64s()
		v := make([]float32, len(v64))
		for i, x := range v64 {
			v[i] = float32(x)
		}
		return v, t.Shape, err
	}
	return nil, nil, fmt.Errorf("tensor is %s: want F32 or F64", t.DType)
}

// parseLatentText reads one vector per line.
func parseLatentText(b []byte, nz int) ([]float32, []int, error) {
	var v []float32
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.FieldsFunc(text, func(r rune) bool {
			return r == ' ' || r == '\t' || r == ','
		})
		if len(fields) != nz {
			return nil, nil, fmt.Errorf("line %d holds %d numbers, want %d", line, len(fields), nz)
		}
		for _, f := range fields {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %q is not a number", line, f)
			}
			v = append(v, float32(x))
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, errors.New("no vectors")
	}
	return v, []int{n, nz}, nil
}

// WriteLatents writes z ([N, nz] float32) to path as .npy (float32, numpy.load reads it),
// as .safetensors (one F32 tensor named "z") or, for any other extension, as text, one
// vector per line; ReadLatents reads all three.
func WriteLatents(path string, z *tensor.Dense) error {
	s := z.Shape()
	if z.Dtype() != tensor.Float32 || len(s) != 2 {
		return fmt.Errorf("dcgan: write latents: want float32 [N, nz], got %v %v",
			z.Dtype(), []int(s))
	}
	v := z.Float32s()
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		f := &safetensors.File{Tensors: map[string]safetensors.Tensor{
			"z": safetensors.F32([]int{s[0], s[1]}, v)}}
		b, err := f.Bytes()
		if err != nil {
			return fmt.Errorf("dcgan: write latents: %w", err)
		}
		buf.Write(b)
	case ".npy":
		header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
			s[0], s[1])
		header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n" // 64-byte aligned
		buf.WriteString("\x93NUMPY\x01\x00")
		binary.Write(&buf, binary.LittleEndian, uint16(len(header)))
		buf.WriteString(header)
		binary.Write(&buf, binary.LittleEndian, v)
	default:
		for i := 0; i < s[0]; i++ {
			for j, x := range v[i*s[1] : (i+1)*s[1]] {
				if j > 0 {
					buf.WriteByte(' ')
				}
				buf.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
			}
			buf.WriteByte('\n')
		}
	}
	if err := atomicfile.Write(path, buf.Bytes()); err != nil {
		return fmt.Errorf("dcgan: write latents: %w", err)
	}
	return nil
}
