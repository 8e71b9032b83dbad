package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "measure a generator of digits: FD, classifier score, mode coverage",
		Description: "Generates --n images and compares them with the MNIST test set through " +
			"the built-in digit classifier. " + eval.ResultLegend + " Images of other sizes " +
			"are resized to 32×32 and color images turned to gray. Runs on the CPU.",
		Flags: []cli.Flag{
			checkpointFlag(),
			&cli.IntFlag{Name: flagN, Value: 10000, EnvVars: env("eval-n"),
				Usage: "images to generate and score"},
			&cli.Uint64Flag{Name: flagSeed, Value: 1,
				Usage: "seed of the noise, of the floor's digits and of the ceiling's noise"},
			bnFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			&cli.BoolFlag{Name: "no-reference", Usage: "skip the floor and the ceiling"},
			&cli.BoolFlag{Name: "report", Usage: "also write " + eval.ResultFile + " and " +
				eval.ReportFile + " into the run's out dir"},
		},
		OnUsageError: onUsageError,
		Action:       evalAction,
	}
}

func evalAction(c *cli.Context) error {
	mode, err := dcgan.ParseBNMode(c.String(flagBN))
	if err != nil {
		return usageError("--%s: %v", flagBN, err)
	}
	n := c.Int(flagN)
	if n < 2 || n > 60000 {
		return usageError("--n %d: want 2 to 60000 images", n)
	}
	s, err := dcgan.OpenSampler(c.String(flagCheckpoint))
	if err != nil {
		return err
	}
	defer s.Close()
	ev, err := eval.NewEvaluator()
	if err != nil {
		return err
	}

	seed := c.Uint64(flagSeed)
	r := &eval.Result{Checkpoint: s.Path, Step: s.Step, Config: s.Config, Seed: seed,
		BN: mode.String(), Notes: evalNotes(s), Classifier: classifierName(),
		Time: time.Now().UTC()}
	gen := func(z *tensor.Dense) (*tensor.Dense, error) { return s.Generate(z, mode) }
	if r.Generated, err = ev.Evaluate(gen, s.Config.LatentDim, n, seed); err != nil {
		return err
	}
	if !c.Bool("no-reference") {
		floor, err := ev.Floor(n, seed)
		if err != nil {
			return err
		}
		ceiling, err := ev.Ceiling(n, seed)
		if err != nil {
			return err
		}
		r.Floor, r.Ceiling = &floor, &ceiling
	}

	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printResult(c.App.Writer, r)
	}
	if c.Bool("report") {
		return writeEvalReport(c, r)
	}
	return nil
}

// evalNotes says what the reader must know to trust the numbers.
func evalNotes(s *dcgan.Sampler) []string {
	var notes []string
	if s.Config.Channels == 3 {
		notes = append(notes, "the model makes RGB images; they were turned to gray "+
			"(ITU-R 601 luma) for the MNIST classifier")
	}
	if s.Config.ImageSize != eval.InputSize {
		notes = append(notes, fmt.Sprintf("images were resized from %d×%d to %d×%d",
			s.Config.ImageSize, s.Config.ImageSize, eval.InputSize, eval.InputSize))
	}
	if d := strings.ToLower(s.Data); d != "" && !strings.Contains(d, "mnist") {
		notes = append(notes, "the model was trained on "+s.Data+", not MNIST: the numbers "+
			"say how much its images look like MNIST digits")
	}
	return notes
}

func classifierName() string {
	acc, err := strconv.ParseFloat(eval.ShippedInfo()["test_accuracy"], 64)
	if err != nil {
		return "built-in classifier"
	}
	return fmt.Sprintf("built-in classifier (%.2f%% on MNIST test)", 100*acc)
}

// printResult writes the table a person reads.
func printResult(w io.Writer, r *eval.Result) {
	step := "step unknown"
	if r.Step >= 0 {
		step = fmt.Sprintf("step %d", r.Step)
	}
	cfg := r.Config
	fmt.Fprintf(w, "model    %s, %s: %d×%d×%d, nz %d, ngf %d, ndf %d\n", r.Checkpoint, step,
		cfg.ImageSize, cfg.ImageSize, cfg.Channels, cfg.LatentDim, cfg.GenFeatures,
		cfg.DiscFeatures)
	fmt.Fprintf(w, "eval     %d images, noise seed %d, batch norm %s, %s\n", r.Generated.N,
		r.Seed, r.BN, r.Classifier)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note     %s\n", n)
	}
	fmt.Fprintf(w, "\n%s\n", columns("", "FD ↓", "score ↑", "classes ↑", "KL(uniform) ↓",
		"confidence"))
	for _, row := range r.Rows() {
		s := row.Scores
		fmt.Fprintln(w, columns(row.Name, fmt.Sprintf("%.3f", s.FD), fmt.Sprintf("%.3f", s.Score),
			fmt.Sprintf("%d/%d", s.Covered, eval.NumClasses), fmt.Sprintf("%.4f", s.KL),
			fmt.Sprintf("%.3f", s.Confidence)))
	}
	fmt.Fprintf(w, "\nclass shares (generated): %s\n", r.Generated.SharesString())
}

// columns lays out a row of the table: the name left-aligned, the numbers right-aligned,
// padded by characters rather than bytes (the arrows are multi-byte).
func columns(name string, cells ...string) string {
	widths := []int{10, 9, 10, 15, 11}
	var b strings.Builder
	b.WriteString(name + strings.Repeat(" ", max(0, 28-utf8.RuneCountInString(name))))
	for i, c := range cells {
		b.WriteString(strings.Repeat(" ", max(1, widths[i]+1-utf8.RuneCountInString(c))) + c)
	}
	return b.String()
}

// writeEvalReport saves the result beside the checkpoint and writes the run's report.
func writeEvalReport(c *cli.Context, r *eval.Result) error {
	dir := filepath.Dir(r.Checkpoint)
	if err := eval.SaveResult(filepath.Join(dir, eval.ResultFile), r); err != nil {
		return err
	}
	if err := eval.WriteReport(dir); err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "report: %s\n", filepath.Join(dir, eval.ReportFile))
	return nil
}
