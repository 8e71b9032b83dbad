package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
)

// TestEvalTiny: eval of a two-step model prints the table, and its JSON puts the model
// between the floor and the ceiling's reach: far from real digits, and no better than them.
func TestEvalTiny(t *testing.T) {
	run := tinyRun(t)
	out := mustRun(t, "eval", "-c", run, "--n", "200")
	for _, want := range []string{"generated", "floor: MNIST train digits",
		"ceiling: uniform noise", "class shares", "resized from 16×16 to 32×32", "step 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	var r eval.Result
	js := mustRun(t, "eval", "-c", run, "--n", "200", "--json")
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.Generated.N != 200 || r.Floor == nil || r.Ceiling == nil || r.Step != 2 {
		t.Fatalf("result: %+v", r)
	}
	if !(r.Floor.FD < r.Generated.FD && r.Floor.FD < r.Ceiling.FD) {
		t.Errorf("FD: floor %.3f, generated %.3f, ceiling %.3f: the floor is not lowest",
			r.Floor.FD, r.Generated.FD, r.Ceiling.FD)
	}
	var sum float64
	for _, s := range r.Generated.Shares {
		sum += s
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("class shares sum to %g", sum)
	}
}

// TestEvalReport: --report leaves the result and a self-contained HTML report in the run's
// out dir.
func TestEvalReport(t *testing.T) {
	run := tinyRun(t)
	mustRun(t, "eval", "-c", run, "--n", "100", "--no-reference", "--report")
	if _, err := eval.LoadResult(filepath.Join(run, eval.ResultFile)); err != nil {
		t.Fatal(err)
	}
	html := string(readFile(t, filepath.Join(run, eval.ReportFile)))
	for _, want := range []string{"<h2>Evaluation</h2>", "16×16×1", "data:image/png;base64,",
		"step 2"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(html, `src="samples`) || strings.Contains(html, `src="http`) {
		t.Error("report links to files instead of inlining them")
	}
}

// TestEvalRGB: a 3-channel model is evaluated in gray, and the table says so.
func TestEvalRGB(t *testing.T) {
	run := tinyRun(t, "--channels", "3")
	out := mustRun(t, "eval", "-c", run, "--n", "50", "--no-reference")
	if !strings.Contains(out, "turned to gray") {
		t.Errorf("no note on the gray conversion:\n%s", out)
	}
}

// TestEvalBadInput: each mistake ends in one line naming it and a non-zero exit.
func TestEvalBadInput(t *testing.T) {
	dir := t.TempDir()
	notModel := filepath.Join(dir, "weights.safetensors")
	os.WriteFile(notModel, readFile(t, "../../"+eval.ShippedPath), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing checkpoint", []string{"-c", filepath.Join(dir, "gone")}, exitFailed, "gone"},
		{"not a model", []string{"-c", notModel}, exitFailed, "not a dcgan-gpu generator"},
		{"one image", []string{"-c", dir, "--n", "1"}, exitUsage, "--n 1"},
		{"bad bn", []string{"-c", dir, "--bn", "x"}, exitUsage, "--bn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := runOut(t, append([]string{"eval"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, c.code, msg)
			}
			if last := lastLine(msg); !strings.Contains(last, c.want) {
				t.Errorf("last stderr line %q does not name %q", last, c.want)
			}
		})
	}
}

// TestClassifierTest: the built-in weights report their accuracy.
func TestClassifierTest(t *testing.T) {
	out := mustRun(t, "classifier", "test")
	if !strings.Contains(out, "MNIST test accuracy 98.") && !strings.Contains(out, "accuracy 99.") {
		t.Errorf("classifier test printed %q, want an accuracy above 98%%", out)
	}
}

// TestClassifierTrain: a tiny training run writes weights the package reads back.
func TestClassifierTrain(t *testing.T) {
	w := filepath.Join(t.TempDir(), "w.safetensors")
	out := mustRun(t, "classifier", "train", "--out", w, "--epochs", "1", "--limit", "128")
	if !strings.Contains(out, "test accuracy") || !strings.Contains(out, w) {
		t.Errorf("classifier train printed %q", out)
	}
	if _, err := eval.LoadClassifier(w, 8); err != nil {
		t.Error(err)
	}
	code, _, msg := runOut(t, "classifier", "train", "--out", w, "--epochs", "0")
	if code != exitUsage || !strings.Contains(msg, "--epochs") {
		t.Errorf("--epochs 0: exit %d, %q", code, msg)
	}
}
