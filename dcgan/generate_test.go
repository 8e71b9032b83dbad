package dcgan

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
)

// trainedDir trains the tiny config three steps on random bytes and saves its checkpoint
// and generator file into a new dir, as a run would.
func trainedDir(t *testing.T) (string, Config) {
	t.Helper()
	cfg := tinyConfig()
	b, err := NewCPU(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	px := make([]uint8, cfg.BatchSize*cfg.ImageSize*cfg.ImageSize)
	for s := 0; s < 3; s++ {
		for i := range px {
			px[i] = uint8((i*7 + s*31) % 256)
		}
		batch := tensor.New(tensor.WithShape(cfg.BatchSize, 1, cfg.ImageSize, cfg.ImageSize),
			tensor.WithBacking(px))
		if err := b.Step(batch); err != nil {
			t.Fatal(err)
		}
	}
	state, err := b.State()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ck := &Checkpoint{Config: cfg, State: state, Data: "test bytes"}
	if err := SaveCheckpoint(filepath.Join(dir, CheckpointFile), ck); err != nil {
		t.Fatal(err)
	}
	if err := SaveGenerator(filepath.Join(dir, GeneratorFile), cfg, state); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

func openSampler(t *testing.T, path string) *Sampler {
	t.Helper()
	s, err := OpenSampler(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func generate(t *testing.T, s *Sampler, z *tensor.Dense, mode BNMode) []float32 {
	t.Helper()
	img, err := s.Generate(z, mode)
	if err != nil {
		t.Fatal(err)
	}
	return img.Float32s()
}

// TestSamplerSources: an out dir, its checkpoint and its generator file give the same
// images, and the step is read from either file.
func TestSamplerSources(t *testing.T) {
	dir, cfg := trainedDir(t)
	z := SeedLatents(cfg.LatentDim, 10, 3)
	var want []float32
	for _, p := range []string{dir, filepath.Join(dir, CheckpointFile),
		filepath.Join(dir, GeneratorFile)} {
		s := openSampler(t, p)
		if s.Step != 3 || s.Config != cfg {
			t.Errorf("%s: step %d, config %+v; want 3 and %+v", p, s.Step, s.Config, cfg)
		}
		got := generate(t, s, z, BatchStats)
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s gives other images than the checkpoint", p)
		}
	}
}

// TestSamplerBadPaths: each bad path ends in one error naming it.
func TestSamplerBadPaths(t *testing.T) {
	empty := t.TempDir()
	junk := filepath.Join(empty, "junk.safetensors")
	os.WriteFile(junk, []byte("not a safetensors file"), 0o644)
	for _, p := range []string{filepath.Join(empty, "missing.safetensors"), empty, junk} {
		_, err := OpenSampler(p)
		if !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want ErrCheckpoint naming the path", p, err)
		}
	}
}

// TestBNModes: with running statistics an image depends on its noise alone; with batch
// statistics it depends on the rest of its batch.
func TestBNModes(t *testing.T) {
	dir, cfg := trainedDir(t)
	s := openSampler(t, dir)
	z := SeedLatents(cfg.LatentDim, 4, 9)
	first := tensor.New(tensor.WithShape(2, cfg.LatentDim),
		tensor.WithBacking(z.Float32s()[:2*cfg.LatentDim]))
	img := cfg.ImageSize * cfg.ImageSize
	// Not bit for bit: OpenBLAS may pick other kernels, summing in another order, for a
	// GEMM of another width; that moves pixels by a few ulps, batch statistics by far more.
	run4, run2 := generate(t, s, z, RunningStats), generate(t, s, first, RunningStats)
	if d := maxAbsDiff(run4[:2*img], run2); d > 1e-5 {
		t.Errorf("running statistics: the first images change by %g with the batch", d)
	}
	bat4, bat2 := generate(t, s, z, BatchStats), generate(t, s, first, BatchStats)
	if d := maxAbsDiff(bat4[:2*img], bat2); d < 1e-3 {
		t.Errorf("batch statistics: the first images change by only %g with the batch", d)
	}
	if reflect.DeepEqual(run4, bat4) {
		t.Error("running and batch statistics give the same images")
	}
	for _, m := range []string{"batch", "running"} {
		if got, err := ParseBNMode(m); err != nil || got.String() != m {
			t.Errorf("ParseBNMode(%q) = %v, %v", m, got, err)
		}
	}
	if _, err := ParseBNMode("eval"); !errors.Is(err, ErrConfig) {
		t.Errorf("ParseBNMode(eval): %v, want ErrConfig", err)
	}
}

// TestSeedLatents: vector i of a seed does not depend on how many are drawn, and the
// run's seed gives the sample grids' fixed noise.
func TestSeedLatents(t *testing.T) {
	a, b := SeedLatents(5, 3, 7).Float32s(), SeedLatents(5, 10, 7).Float32s()
	if !reflect.DeepEqual(a, b[:15]) {
		t.Error("the first 3 vectors differ when 10 are drawn")
	}
	cfg := tinyConfig()
	if !reflect.DeepEqual(SeedLatents(cfg.LatentDim, 64, cfg.Seed).Float32s(),
		fixedNoise(cfg, 64).Float32s()) {
		t.Error("the run's seed does not give the sample grids' noise")
	}
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// TestInterpolation checks the ends, Lerp's midpoint, and that Slerp keeps the norm of
// ends of equal norm and moves at a constant angle.
func TestInterpolation(t *testing.T) {
	a, b := []float32{3, 0, 0}, []float32{0, 3, 0}
	for _, sph := range []bool{false, true} {
		f := Interpolate(a, b, 5, sph)
		if len(f) != 5 || !reflect.DeepEqual(f[0], a) {
			t.Errorf("spherical %v: first frame %v, want %v", sph, f[0], a)
		}
		for i := range b {
			if math.Abs(float64(f[4][i]-b[i])) > 1e-6 {
				t.Errorf("spherical %v: last frame %v, want %v", sph, f[4], b)
			}
		}
	}
	if mid := Lerp(a, b, 0.5); mid[0] != 1.5 || mid[1] != 1.5 {
		t.Errorf("Lerp midpoint %v, want (1.5, 1.5, 0)", mid)
	}
	for k, v := range Interpolate(a, b, 7, true) {
		if math.Abs(norm(v)-3) > 1e-5 {
			t.Errorf("slerp frame %d has norm %g, want 3", k, norm(v))
		}
		angle := math.Atan2(float64(v[1]), float64(v[0]))
		if want := math.Pi / 2 * float64(k) / 6; math.Abs(angle-want) > 1e-6 {
			t.Errorf("slerp frame %d at angle %g, want %g", k, angle, want)
		}
	}
	same := Slerp(a, a, 0.3) // parallel ends: the Lerp fallback, not NaN
	if !reflect.DeepEqual(same, a) {
		t.Errorf("slerp of equal vectors %v, want %v", same, a)
	}
}

// npy builds a .npy file by hand, as numpy.save writes one.
func npy(descr string, fortran bool, shape string, data []byte) []byte {
	f := "False"
	if fortran {
		f = "True"
	}
	h := "{'descr': '" + descr + "', 'fortran_order': " + f + ", 'shape': " + shape + ", }"
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	out := []byte("\x93NUMPY\x01\x00")
	out = binary.LittleEndian.AppendUint16(out, uint16(len(h)))
	return append(append(out, h...), data...)
}

func f64Bytes(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

// TestReadLatents reads each format and rejects what does not fit.
func TestReadLatents(t *testing.T) {
	dir := t.TempDir()
	want := []float32{1, 2, 3, 4, 5, 6} // two vectors of three
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	st := func(name string, tensors map[string]safetensors.Tensor) string {
		b, err := (&safetensors.File{Tensors: tensors}).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return write(name, b)
	}
	saved, savedTxt := filepath.Join(dir, "saved.npy"), filepath.Join(dir, "saved.txt")
	savedST := filepath.Join(dir, "saved.safetensors")
	for _, p := range []string{saved, savedTxt, savedST} {
		z := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(want))
		if err := WriteLatents(p, z); err != nil {
			t.Fatal(err)
		}
	}
	good := []string{
		saved, savedTxt, savedST,
		write("c.npy", npy("<f8", false, "(2, 3)", f64Bytes(1, 2, 3, 4, 5, 6))),
		write("f.npy", npy("<f8", true, "(2, 3)", f64Bytes(1, 4, 2, 5, 3, 6))),
		write("4d.npy", npy("<f8", false, "(2, 3, 1, 1)", f64Bytes(1, 2, 3, 4, 5, 6))),
		write("z.txt", []byte("# two vectors\n1 2 3\n\n4,5,\t6\n")),
		st("one.safetensors", map[string]safetensors.Tensor{
			"anything": safetensors.F32([]int{2, 3}, want)}),
		st("named.safetensors", map[string]safetensors.Tensor{"z": safetensors.F32([]int{2, 3}, want),
			"other": safetensors.F32([]int{1}, []float32{0})}),
	}
	for _, p := range good {
		z, err := ReadLatents(p, 3)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if !reflect.DeepEqual(z.Float32s(), want) || z.Shape()[0] != 2 {
			t.Errorf("%s: read %v %v, want %v", filepath.Base(p), z.Shape(), z.Float32s(), want)
		}
	}

	bad := map[string]string{
		write("nz.npy", npy("<f8", false, "(3, 2)", f64Bytes(1, 2, 3, 4, 5, 6))): "shape",
		write("int.npy", npy("<i4", false, "(2,)", make([]byte, 8))):             "dtype",
		write("short.npy", npy("<f8", false, "(2, 3)", f64Bytes(1, 2))):          "data bytes",
		write("magic.npy", []byte("PK\x03\x04 a zip")):                           "magic",
		write("nan.txt", []byte("1 2 nan\n")):                                    "vector 0",
		write("ragged.txt", []byte("1 2 3\n4 5\n")):                              "line 2",
		write("word.txt", []byte("1 two 3\n")):                                   "not a number",
		write("empty.txt", []byte("# nothing\n")):                                "no vectors",
		st("many.safetensors", map[string]safetensors.Tensor{"a": safetensors.F32([]int{3}, want[:3]),
			"b": safetensors.F32([]int{3}, want[:3])}): "none named",
	}
	for p, frag := range bad {
		_, err := ReadLatents(p, 3)
		if !errors.Is(err, ErrLatents) || !strings.Contains(err.Error(), frag) ||
			!strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want ErrLatents naming the file and %q", filepath.Base(p), err, frag)
		}
	}
	if _, err := ReadLatents(filepath.Join(dir, "missing.npy"), 3); err == nil {
		t.Error("missing file: no error")
	}
}

// maxAbsDiff returns the largest |a[i] − b[i]|.
func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}
