package main

import (
	"bytes"
	"image"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// runOut runs the command line in-process and returns its exit code, stdout and stderr.
func runOut(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(append([]string{"dcgan-gpu"}, args...), &out, &errw)
	return code, out.String(), errw.String()
}

// tinyRun trains the tiny model two steps into a new out dir (extra flags appended).
func tinyRun(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	if code, msg := train(t, append([]string{"--steps", "2", "--out", dir}, extra...)...); code != 0 {
		t.Fatalf("training the tiny model: exit %d: %s", code, msg)
	}
	return dir
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, msg := runOut(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, msg)
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGenerateGrid: with the run's seed and 64 images, generate redraws the run's last
// sample grid byte for byte; single PNGs come one per image.
func TestGenerateGrid(t *testing.T) {
	run := tinyRun(t)
	out := t.TempDir()
	grid := filepath.Join(out, "grid.png")
	mustRun(t, "generate", "--checkpoint", run, "--grid", grid)
	if !bytes.Equal(readFile(t, grid), readFile(t, filepath.Join(run, "samples_latest.png"))) {
		t.Error("generate with the run's seed differs from the run's sample grid")
	}

	singles := filepath.Join(out, "one")
	mustRun(t, "generate", "-c", filepath.Join(run, dcgan.GeneratorFile), "--n", "5",
		"--seed", "3", "--out-dir", singles)
	ents, err := os.ReadDir(singles)
	if err != nil || len(ents) != 5 {
		t.Fatalf("out dir holds %d files (%v), want 5", len(ents), err)
	}
	img, err := png.Decode(bytes.NewReader(readFile(t, filepath.Join(singles, "0004.png"))))
	if err != nil || img.Bounds().Dx() != 16 || img.Bounds().Dy() != 16 {
		t.Errorf("single image: %v, bounds %v; want a 16×16 PNG", err, img.Bounds())
	}
}

// TestGenerateLatents: noise saved by one run and read back by another gives the same
// images, in all three file formats.
func TestGenerateLatents(t *testing.T) {
	run := tinyRun(t)
	out := t.TempDir()
	ref := filepath.Join(out, "seed.png")
	for _, name := range []string{"z.npy", "z.txt", "z.safetensors"} {
		z := filepath.Join(out, name)
		mustRun(t, "generate", "-c", run, "--n", "6", "--seed", "11", "--grid", ref,
			"--save-latents", z)
		again := filepath.Join(out, "again-"+name+".png")
		mustRun(t, "generate", "-c", run, "--latents", z, "--grid", again)
		if !bytes.Equal(readFile(t, ref), readFile(t, again)) {
			t.Errorf("%s: images from the saved noise differ from the seed's", name)
		}
	}
}

// TestGenerateInterp: walks come out as a grid of a row per walk and as a GIF going
// there and back.
func TestGenerateInterp(t *testing.T) {
	run := tinyRun(t)
	out := t.TempDir()
	grid, anim := filepath.Join(out, "walk.png"), filepath.Join(out, "walk.gif")
	for _, kind := range []string{"linear", "slerp"} {
		mustRun(t, "generate", "-c", run, "--interp", kind, "--from", "1", "--to", "2",
			"--n", "3", "--frames", "5", "--grid", grid, "--gif", anim)
		img, err := png.Decode(bytes.NewReader(readFile(t, grid)))
		// 5 columns and 3 rows of 16-pixel images with 2 pixels around each.
		if err != nil || img.Bounds().Dx() != 5*18+2 || img.Bounds().Dy() != 3*18+2 {
			t.Errorf("%s grid: %v, bounds %v; want 92×56", kind, err, img.Bounds())
		}
		g, err := gif.DecodeAll(bytes.NewReader(readFile(t, anim)))
		if err != nil || len(g.Image) != 8 {
			t.Fatalf("%s gif: %v, %d frames; want 8 (5 there, 3 back)", kind, err, len(g.Image))
		}
		if bytes.Equal(g.Image[0].Pix, g.Image[4].Pix) {
			t.Errorf("%s gif: the first and the middle frame are the same", kind)
		}
		if !bytes.Equal(g.Image[1].Pix, g.Image[7].Pix) {
			t.Errorf("%s gif: the way back does not retrace the way there", kind)
		}
	}
}

// TestGenerateBadInput: each mistake ends in one line naming it and a non-zero exit.
func TestGenerateBadInput(t *testing.T) {
	run := tinyRun(t)
	dir := t.TempDir()
	wrongNZ := filepath.Join(dir, "z.txt")
	os.WriteFile(wrongNZ, []byte("1 2 3\n"), 0o644)
	missing := filepath.Join(dir, "nope.safetensors")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing checkpoint", []string{"-c", missing}, exitFailed, missing},
		{"empty dir", []string{"-c", dir}, exitFailed, "neither"},
		{"no checkpoint flag", nil, exitUsage, "checkpoint"},
		{"bad interp", []string{"-c", run, "--interp", "cubic"}, exitUsage, "cubic"},
		{"gif without interp", []string{"-c", run, "--gif", "x.gif"}, exitUsage, "--interp"},
		{"one frame", []string{"-c", run, "--interp", "slerp", "--frames", "1"}, exitUsage,
			"--frames"},
		{"seed and latents", []string{"-c", run, "--seed", "2", "--latents", wrongNZ},
			exitUsage, "--latents"},
		{"latents of another nz", []string{"-c", run, "--latents", wrongNZ}, exitFailed,
			"holds 3 numbers, want 8"},
		{"bad bn", []string{"-c", run, "--bn", "eval"}, exitUsage, "eval"},
		{"zero n", []string{"-c", run, "--n", "0"}, exitUsage, "--n"},
		{"huge n", []string{"-c", run, "--n", "2000000000"}, exitUsage, "--n"},
		{"huge walks", []string{"-c", run, "--interp", "slerp", "--n", "1000000", "--frames",
			"1000000"}, exitUsage, "GiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"generate", "--grid", filepath.Join(dir, "g.png")}, c.args...)
			code, _, msg := runOut(t, args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.code, msg)
			}
			if last := lastLine(msg); !strings.Contains(last, c.want) {
				t.Errorf("last stderr line %q does not name %q", last, c.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "g.png")); err == nil {
		t.Error("a failed generate wrote its grid")
	}
}

// TestGenerateRGB: a color model's walks make a dithered GIF, and its grid a color PNG.
func TestGenerateRGB(t *testing.T) {
	run := tinyRun(t, "--channels", "3")
	out := t.TempDir()
	grid, anim := filepath.Join(out, "rgb.png"), filepath.Join(out, "rgb.gif")
	mustRun(t, "generate", "-c", run, "--interp", "linear", "--n", "2", "--frames", "3",
		"--grid", grid, "--gif", anim)
	g, err := gif.DecodeAll(bytes.NewReader(readFile(t, anim)))
	if err != nil || len(g.Image) != 4 || len(g.Image[0].Palette) < 200 {
		t.Fatalf("rgb gif: %v; want 4 frames with the web palette", err)
	}
	img, err := png.Decode(bytes.NewReader(readFile(t, grid)))
	if err != nil {
		t.Fatal(err)
	}
	if _, gray := img.(*image.Gray); gray {
		t.Error("the grid of a color model is gray")
	}
}
