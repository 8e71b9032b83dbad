package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
)

// tiny is a model small enough to train a few steps in well under a second.
var tiny = []string{"--data", "synthetic", "--image-size", "16", "--channels", "1",
	"--nz", "8", "--ngf", "4", "--ndf", "4", "--batch", "8", "--sample-every", "2",
	"--checkpoint-every", "2"}

// cli runs the command line in-process and returns its exit code and stderr.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(append([]string{"dcgan-gpu"}, args...), &out, &errw)
	return code, errw.String()
}

func train(t *testing.T, extra ...string) (int, string) {
	t.Helper()
	return runCLI(t, append(append([]string{"train"}, tiny...), extra...)...)
}

// TestResumeBitIdentical: 6 steps straight equal 3 steps, stop, resume, 3 more, bit for bit.
// The resume names only the checkpoint: the data set and the out dir come from it.
func TestResumeBitIdentical(t *testing.T) {
	straight, split := t.TempDir(), t.TempDir()
	if code, msg := train(t, "--steps", "6", "--out", straight); code != 0 {
		t.Fatalf("straight run: exit %d: %s", code, msg)
	}
	if code, msg := train(t, "--steps", "3", "--out", split); code != 0 {
		t.Fatalf("first half: exit %d: %s", code, msg)
	}
	if code, msg := runCLI(t, "train", "--steps", "6", "--resume", split); code != 0 {
		t.Fatalf("resumed half: exit %d: %s", code, msg)
	}

	a := loadState(t, straight)
	b := loadState(t, split)
	if len(a) != len(b) {
		t.Fatalf("state sizes differ: %d vs %d tensors", len(a), len(b))
	}
	for name, ta := range a {
		tb, ok := b[name]
		if !ok {
			t.Fatalf("resumed state lacks %s", name)
		}
		if !reflect.DeepEqual(ta.Data(), tb.Data()) {
			t.Errorf("%s differs between the straight and the resumed run", name)
		}
	}
	ma := readMetrics(t, straight)
	mb := readMetrics(t, split)
	if len(ma) != 6 || len(mb) != 6 {
		t.Fatalf("metrics records: straight %d, resumed %d, want 6 each", len(ma), len(mb))
	}
	for i := range ma {
		if ma[i].LossD != mb[i].LossD || ma[i].LossG != mb[i].LossG {
			t.Errorf("step %d losses differ: %v/%v vs %v/%v", i+1, ma[i].LossD, ma[i].LossG,
				mb[i].LossD, mb[i].LossG)
		}
	}
}

func loadState(t *testing.T, dir string) map[string]*tensor.Dense {
	t.Helper()
	ck, err := dcgan.LoadCheckpoint(filepath.Join(dir, dcgan.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	return ck.State
}

func readMetrics(t *testing.T, dir string) []dcgan.MetricRecord {
	t.Helper()
	recs, err := dcgan.ReadMetrics(filepath.Join(dir, dcgan.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestTrainWritesOutputs checks the files a user looks at after a run.
func TestTrainWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	if code, msg := train(t, "--steps", "4", "--out", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	for _, f := range []string{dcgan.CheckpointFile, dcgan.GeneratorFile, dcgan.MetricsFile,
		dcgan.LossPlotFile, dcgan.RealGridFile, "samples/step_0000002.png",
		"samples/step_0000004.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty after training", f)
		}
	}
}

// TestTrainEvalEvery: --eval-every puts the quality numbers into the metrics log at its
// steps and the last, draws them in eval.png and writes the report.
func TestTrainEvalEvery(t *testing.T) {
	dir := t.TempDir()
	code, msg := train(t, "--steps", "3", "--eval-every", "2", "--eval-n", "50", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	var at []int64
	for _, r := range readMetrics(t, dir) {
		if fd, ok := r.Extra[eval.KeyFD]; ok && fd > 0 {
			at = append(at, r.Step)
		}
	}
	if fmt.Sprint(at) != "[2 3]" {
		t.Errorf("FD logged at steps %v, want [2 3]", at)
	}
	if !strings.Contains(msg, "eval step 2: FD ") {
		t.Errorf("no eval line in the output: %s", msg)
	}
	for _, f := range []string{eval.EvalPlotFile, eval.ReportFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
}

// writeIDX writes an IDX images file of n 28×28 images.
func writeIDX(t *testing.T, path string, n int, magic uint32) {
	t.Helper()
	var b bytes.Buffer
	for _, v := range []uint32{magic, uint32(n), 28, 28} {
		binary.Write(&b, binary.BigEndian, v)
	}
	b.Write(make([]byte, n*28*28))
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: each bad input ends with one line naming the problem, a non-zero exit and
// no out dir content.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "five-idx3-ubyte")
	writeIDX(t, idx, 5, 0x803)
	badMagic := filepath.Join(dir, "bad-idx3-ubyte")
	writeIDX(t, badMagic, 5, 0x1234)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	corrupt := filepath.Join(dir, "corrupt.safetensors")
	os.WriteFile(corrupt, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json"), 0o644)
	other := t.TempDir() // a checkpoint of another architecture (ngf 8)
	if code, msg := train(t, "--steps", "2", "--ngf", "8", "--out", other); code != 0 {
		t.Fatalf("setup run: exit %d: %s", code, msg)
	}

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"size not power of two", []string{"train", "--image-size", "48"}, exitUsage,
			"image size 48"},
		{"negative batch", []string{"train", "--batch", "-4"}, exitUsage, "batch size"},
		{"zero epochs", []string{"train", "--epochs", "0"}, exitUsage, "--epochs"},
		{"bad channels", []string{"train", "--channels", "2"}, exitUsage, "channels 2"},
		{"unknown data", []string{"train", "--data", "imagenet"}, exitUsage, "imagenet"},
		{"missing idx", []string{"train", "--data", "idx", "--path", dir + "/nope"},
			exitFailed, "nope"},
		{"wrong magic", []string{"train", "--data", "idx", "--path", badMagic}, exitFailed,
			"magic"},
		{"batch > data", []string{"train", "--data", "idx", "--path", idx}, exitUsage,
			"larger than the data set"},
		{"out not writable", append(append([]string{"train"}, tiny...), "--out",
			notDir+"/sub"), exitFailed, "cannot be written"},
		{"corrupt checkpoint", append(append([]string{"train"}, tiny...), "--resume",
			corrupt), exitFailed, "corrupt.safetensors"},
		{"other architecture", append(append([]string{"train"}, tiny...), "--resume",
			other), exitUsage, "ngf"},
		{"cuda in cpu build", []string{"train", "--device", "cuda"}, exitNoGPU, "without CUDA"},
		{"unknown flag", []string{"train", "--bogus"}, exitUsage, "bogus"},
		{"negative eval interval", []string{"train", "--eval-every", "-1"}, exitUsage,
			"--eval-every"},
		{"too few eval images", []string{"train", "--eval-every", "5", "--eval-n", "1"},
			exitUsage, "--eval-n"},
		{"infinite lr", []string{"train", "--lr", "Inf"}, exitUsage, "learning rate"},
		{"huge ngf", []string{"train", "--ngf", "100000"}, exitUsage, "ngf"},
		{"huge net", []string{"train", "--ngf", "5000", "--image-size", "256"}, exitUsage,
			"learned parameters"},
		{"negative workers", []string{"train", "--workers", "-1"}, exitUsage, "--workers"},
		{"out holds a checkpoint", append(append([]string{"train"}, tiny...), "--out", other),
			exitUsage, "holds the checkpoint"},
	}
	otherCk, _ := os.ReadFile(filepath.Join(other, dcgan.CheckpointFile))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := c.args
			if !contains(args, "--out") {
				args = append(args, "--out", out)
			}
			code, msg := runCLI(t, args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.code, msg)
			}
			last := lastLine(msg)
			if !strings.Contains(last, c.want) || !strings.HasPrefix(last, "dcgan-gpu: ") {
				t.Errorf("last stderr line %q does not name %q", last, c.want)
			}
			if ents, _ := os.ReadDir(out); hasCheckpoint(ents) {
				t.Errorf("a failed run left a checkpoint in %s", out)
			}
		})
	}
	after, _ := os.ReadFile(filepath.Join(other, dcgan.CheckpointFile))
	if len(otherCk) == 0 || !bytes.Equal(after, otherCk) {
		t.Errorf("a refused run changed the checkpoint in %s", other)
	}
}

// TestTrainFreshMetrics: a fresh run in an out dir holding a stale metrics log (of a run
// that failed before its first checkpoint) starts the log afresh instead of appending.
func TestTrainFreshMetrics(t *testing.T) {
	dir := t.TempDir()
	if code, msg := train(t, "--steps", "2", "--out", dir); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, msg)
	}
	if err := os.Remove(filepath.Join(dir, dcgan.CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	if code, msg := train(t, "--steps", "3", "--out", dir); code != 0 {
		t.Fatalf("fresh run: exit %d: %s", code, msg)
	}
	var steps []int64
	for _, r := range readMetrics(t, dir) {
		steps = append(steps, r.Step)
	}
	if fmt.Sprint(steps) != "[1 2 3]" {
		t.Errorf("metrics steps after a fresh run: %v, want [1 2 3]", steps)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func hasCheckpoint(ents []os.DirEntry) bool {
	for _, e := range ents {
		if e.Name() == dcgan.CheckpointFile {
			return true
		}
	}
	return false
}
