package dcgan

import (
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/safetensors"
)

// tinyConfig is a 16×16×1 DCGAN small enough to save in microseconds.
func tinyConfig() Config {
	c := DefaultConfig()
	c.ImageSize, c.Channels, c.LatentDim, c.GenFeatures, c.DiscFeatures = 16, 1, 8, 4, 4
	c.BatchSize = 8
	return c
}

// fakeState builds a State for cfg with random values, as a backend would return it.
func fakeState(cfg Config, step float64, seed int64) map[string]*tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	st := make(map[string]*tensor.Dense)
	for _, s := range stateSpecs(cfg) {
		if s.shape == nil {
			continue
		}
		v := make([]float32, Size(s.shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		st[s.name] = tensor.New(tensor.WithShape(s.shape...), tensor.WithBacking(v))
	}
	st["step"] = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{step}))
	return st
}

func sameState(t *testing.T, got, want map[string]*tensor.Dense) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if !g.Shape().Eq(w.Shape()) || g.Dtype() != w.Dtype() {
			t.Errorf("%s: %v %v, want %v %v", name, g.Dtype(), g.Shape(), w.Dtype(), w.Shape())
			continue
		}
		switch w.Dtype() {
		case tensor.Float32:
			gv, wv := g.Float32s(), w.Float32s()
			for i := range wv {
				if gv[i] != wv[i] {
					t.Errorf("%s[%d] = %v, want %v", name, i, gv[i], wv[i])
					break
				}
			}
		case tensor.Float64:
			if g.Float64s()[0] != w.Float64s()[0] {
				t.Errorf("%s = %v, want %v", name, g.Float64s(), w.Float64s())
			}
		}
	}
}

func saveTiny(t *testing.T, dir string, step float64) (string, *Checkpoint) {
	t.Helper()
	cfg := tinyConfig()
	ck := &Checkpoint{Config: cfg, State: fakeState(cfg, step, int64(step)), Epoch: 2, Pos: 5,
		Data: "synthetic (64 images)", DataKind: "folder", DataPath: "faces/train"}
	path := filepath.Join(dir, "ck.safetensors")
	if err := SaveCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	return path, ck
}

func TestCheckpointRoundTrip(t *testing.T) {
	path, want := saveTiny(t, t.TempDir(), 7)
	got, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != want.Config || got.Epoch != 2 || got.Pos != 5 || got.Data != want.Data ||
		got.DataKind != want.DataKind || got.DataPath != want.DataPath || got.Path != path {
		t.Errorf("got %+v", got)
	}
	sameState(t, got.State, want.State)
	if err := got.CompatibleWith(want.Config); err != nil {
		t.Errorf("a checkpoint is not compatible with its own config: %v", err)
	}

	// The file carries PyTorch's batch-norm counters: G runs once a step, D three times.
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	counters := 0
	for name, tt := range f.Tensors {
		if !isCounter(name) {
			continue
		}
		counters++
		v, err := tt.Int64s()
		want := int64(7)
		if strings.HasPrefix(name, "netD.") {
			want = 21
		}
		if err != nil || len(tt.Shape) != 0 || v[0] != want {
			t.Errorf("%s = %v %v (%v), want scalar %d", name, tt.Shape, v, err, want)
		}
	}
	// 16×16: G has BN after its first two ConvTs, D after its second Conv.
	if counters != 3 {
		t.Errorf("%d num_batches_tracked counters, want 3", counters)
	}
}

func TestCheckpointScalarStep(t *testing.T) {
	cfg := tinyConfig()
	st := fakeState(cfg, 0, 1)
	st["step"] = tensor.New(tensor.WithShape(), tensor.WithBacking([]float64{3}))
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := SaveCheckpoint(path, &Checkpoint{Config: cfg, State: st}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.State["step"]; len(s.Shape()) != 0 || s.Float64s()[0] != 3 {
		t.Errorf("step = %v %v, want the scalar 3", s.Shape(), s.Float64s())
	}
}

// wantCkErr checks that err is a checkpoint error naming path and mentioning each fragment.
func wantCkErr(t *testing.T, err error, path string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrCheckpoint) {
		t.Errorf("%q does not match ErrCheckpoint", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
		t.Errorf("%q is not one line naming %s", msg, path)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("%q does not mention %q", msg, f)
		}
	}
}

func TestLoadCheckpointTruncatedOrCorrupt(t *testing.T) {
	path, _ := saveTiny(t, t.TempDir(), 3)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, 8, 100, len(whole) / 2, len(whole) - 1} {
		if err := os.WriteFile(path, whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadCheckpoint(path)
		wantCkErr(t, err, path, "corrupt or truncated")
	}
	bad := append([]byte(nil), whole...)
	bad[9] = 'X' // inside the JSON header
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadCheckpoint(path)
	wantCkErr(t, err, path, "corrupt or truncated")

	missing := filepath.Join(t.TempDir(), "none.safetensors")
	_, err = LoadCheckpoint(missing)
	wantCkErr(t, err, missing)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v does not match os.ErrNotExist", err)
	}
}

// rewrite loads path as plain safetensors, lets edit change it, and writes it back.
func rewrite(t *testing.T, path string, edit func(f *safetensors.File)) {
	t.Helper()
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	if err := safetensors.WriteFileAtomic(path, f); err != nil {
		t.Fatal(err)
	}
}

func TestLoadCheckpointRejects(t *testing.T) {
	other := tinyConfig()
	other.GenFeatures = 8
	otherJSON := `{"image_size":16,"channels":1,"nz":8,"ngf":8,"ndf":4,"batch_size":8,` +
		`"lr":0.0002,"beta1":0.5,"beta2":0.999,"seed":1}`
	for _, c := range []struct {
		name      string
		edit      func(f *safetensors.File)
		fragments []string
	}{
		{"missing tensor", func(f *safetensors.File) { delete(f.Tensors, "netD.main.3.running_var") },
			[]string{"netD.main.3.running_var is missing", "16×16×1, nz 8, ngf 4, ndf 4"}},
		{"missing moment", func(f *safetensors.File) { delete(f.Tensors, "optG.v.main.0.weight") },
			[]string{"optG.v.main.0.weight is missing"}},
		{"config of another size", func(f *safetensors.File) { f.Metadata["config"] = otherJSON },
			[]string{"netG.main.0.weight has shape [8 8 4 4], want [8 16 4 4]"}},
		{"wrong dtype", func(f *safetensors.File) {
			f.Tensors["step"] = safetensors.I64([]int{1}, []int64{3})
		}, []string{"step is I64, want F64"}},
		{"not a checkpoint", func(f *safetensors.File) { f.Metadata = nil },
			[]string{"not a dcgan-gpu checkpoint"}},
		{"newer version", func(f *safetensors.File) { f.Metadata["format_version"] = "2" },
			[]string{`format version "2"`}},
		{"bad config", func(f *safetensors.File) { f.Metadata["config"] = `{"image_size":17}` },
			[]string{"bad config metadata", "power of two"}},
		{"bad epoch", func(f *safetensors.File) { f.Metadata["epoch"] = "-1" },
			[]string{"bad epoch"}},
		{"fractional step", func(f *safetensors.File) {
			f.Tensors["step"] = safetensors.F64([]int{}, []float64{2.5})
		}, []string{"bad step"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, _ := saveTiny(t, t.TempDir(), 3)
			rewrite(t, path, c.edit)
			_, err := LoadCheckpoint(path)
			wantCkErr(t, err, path, c.fragments...)
		})
	}
}

func TestCompatibleWith(t *testing.T) {
	path, _ := saveTiny(t, t.TempDir(), 3)
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	bigger := tinyConfig()
	bigger.ImageSize, bigger.Channels = 32, 3
	wantCkErr(t, ck.CompatibleWith(bigger), path,
		"was saved for 16×16×1, nz 8, ngf 4, ndf 4; this run is 32×32×3, nz 8, ngf 4, ndf 4")
	lr := tinyConfig()
	lr.LR = 1e-3
	wantCkErr(t, ck.CompatibleWith(lr), path, "lr 0.0002", "lr 0.001", "exact resume")
	seed := tinyConfig()
	seed.Seed = 9
	wantCkErr(t, ck.CompatibleWith(seed), path, "seed 1", "seed 9")
}

func TestSaveCheckpointRefusesAndKeepsOld(t *testing.T) {
	path, ck := saveTiny(t, t.TempDir(), 3)
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := fakeState(ck.Config, 4, 4)
	delete(broken, "optD.m.main.0.weight")
	err = SaveCheckpoint(path, &Checkpoint{Config: ck.Config, State: broken})
	if err == nil || !strings.Contains(err.Error(), "optD.m.main.0.weight is missing") {
		t.Errorf("saving an incomplete state: %v", err)
	}
	wrongShape := fakeState(ck.Config, 4, 4)
	wrongShape["netG.main.1.weight"] = tensor.New(tensor.WithShape(3),
		tensor.WithBacking([]float32{1, 2, 3}))
	if err := SaveCheckpoint(path, &Checkpoint{Config: ck.Config, State: wrongShape}); err == nil {
		t.Error("saved a state with a wrong shape")
	}
	now, err := os.ReadFile(path)
	if err != nil || string(now) != string(old) {
		t.Errorf("the old checkpoint changed (%v)", err)
	}
}

// TestCheckpointSurvivesKill kills a process that is rewriting a checkpoint over and over, at
// whatever moment the scheduler gives, and checks that the file left behind loads.
func TestCheckpointSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointWriterProcess$")
		cmd.Env = append(os.Environ(), "DCGAN_CKPT_WRITER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the writer has finished at least one save, then a little more so the
		// kill lands somewhere in a later one.
		for i := 0; i < 2000; i++ {
			if _, err := os.Stat(path); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(10+round*17) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		ck, err := LoadCheckpoint(path)
		if err != nil {
			t.Fatalf("round %d: after the kill the checkpoint does not load: %v", round, err)
		}
		if ck.Config != writerConfig() {
			t.Fatalf("round %d: config %+v", round, ck.Config)
		}
	}

	// The next save sweeps away the temporaries the kills left.
	if err := SaveCheckpoint(path, &Checkpoint{Config: tinyConfig(),
		State: fakeState(tinyConfig(), 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory after a save, want 1", len(ents))
	}
}

// TestCheckpointWriterProcess is the process TestCheckpointSurvivesKill kills: it saves a
// checkpoint with a growing step until it is killed.
func TestCheckpointWriterProcess(t *testing.T) {
	path := os.Getenv("DCGAN_CKPT_WRITER")
	if path == "" {
		t.Skip("helper process for TestCheckpointSurvivesKill")
	}
	cfg := writerConfig()
	st := fakeState(cfg, 0, 1)
	for step := 1.0; ; step++ {
		st["step"].Float64s()[0] = step
		ck := &Checkpoint{Config: cfg, State: st}
		if err := SaveCheckpoint(path, ck); err != nil {
			t.Fatal(err)
		}
	}
}

// writerConfig has a bigger G than tinyConfig, so the kill often lands mid-write.
func writerConfig() Config {
	c := tinyConfig()
	c.GenFeatures = 16
	return c
}

func TestSaveGeneratorPyTorchKeys(t *testing.T) {
	cfg := tinyConfig()
	st := fakeState(cfg, 11, 2)
	path := filepath.Join(t.TempDir(), "g.safetensors")
	if err := SaveGenerator(path, cfg, st); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, p := range Generator(cfg).Params() {
		want[p.Name] = true
	}
	want["main.1.num_batches_tracked"] = true
	want["main.4.num_batches_tracked"] = true
	for name := range f.Tensors {
		if !want[name] {
			t.Errorf("unexpected key %s", name)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("missing key %s", name)
	}
	if v, err := f.Tensors["main.4.num_batches_tracked"].Int64s(); err != nil || v[0] != 11 {
		t.Errorf("main.4.num_batches_tracked = %v, %v; want 11", v, err)
	}

	gotCfg, gst, err := LoadGenerator(path)
	if err != nil {
		t.Fatal(err)
	}
	if gotCfg != cfg {
		t.Errorf("config %+v, want %+v", gotCfg, cfg)
	}
	wantG := map[string]*tensor.Dense{}
	for name, d := range st {
		if strings.HasPrefix(name, "netG.") {
			wantG[name] = d
		}
	}
	sameState(t, gst, wantG)

	_, err = LoadCheckpoint(path)
	wantCkErr(t, err, path, "generator file, not a full checkpoint")
	ckPath, _ := saveTiny(t, t.TempDir(), 1)
	_, _, err = LoadGenerator(ckPath)
	wantCkErr(t, err, ckPath, "full checkpoint, not a generator file")
}
