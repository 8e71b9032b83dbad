package eval

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
	"github.com/dcgan-gpu/dcgan-gpu/internal/atomicfile"
)

// Files of the report in a run's out dir.
const (
	ReportFile   = "report.html" // written by WriteReport
	ResultFile   = "eval.json"   // a Result, written by `dcgan-gpu eval --report`
	EvalPlotFile = "eval.png"    // the metric plot, written by WriteReport
)

// Result is one evaluation of a checkpoint with the scale to read it by.
type Result struct {
	Checkpoint string       `json:"checkpoint"`
	Step       int64        `json:"step"` // -1: unknown
	Config     dcgan.Config `json:"config"`
	Seed       uint64       `json:"seed"` // of the noise, the floor's subset and the ceiling
	BN         string       `json:"bn"`   // batch-norm statistics G used
	Generated  Scores       `json:"generated"`
	Floor      *Scores      `json:"floor,omitempty"`   // MNIST train images
	Ceiling    *Scores      `json:"ceiling,omitempty"` // uniform noise images
	Notes      []string     `json:"notes,omitempty"`
	Classifier string       `json:"classifier"` // which weights, with their test accuracy
	Time       time.Time    `json:"time"`
}

// SaveResult writes r as indented JSON to path, atomically.
func SaveResult(path string, r *Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := atomicfile.Write(path, append(b, '\n')); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

// LoadResult reads a Result written by SaveResult.
func LoadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("eval: %s: %w", path, err)
	}
	return &r, nil
}

// Panels turns the evaluation numbers of metric records (those with the Key… extras, as
// a training run with evaluation logs them) into plot panels: FD, the classifier score
// with the classes covered, and the KL to uniform, against the step. It returns nil when
// no record has them.
func Panels(recs []dcgan.MetricRecord) []imageio.Panel {
	series := func(key, label string, color int) imageio.Series {
		s := imageio.Series{Label: label, Color: imageio.Palette[color%len(imageio.Palette)]}
		for _, r := range recs {
			if v, ok := r.Extra[key]; ok && !math.IsNaN(v) {
				s.X = append(s.X, float64(r.Step))
				s.Y = append(s.Y, v)
			}
		}
		return s
	}
	fd := series(KeyFD, "FD to MNIST test", 0)
	if len(fd.X) == 0 {
		return nil
	}
	return []imageio.Panel{
		{Title: "Frechet distance of classifier features (lower is better)",
			Series: []imageio.Series{fd}},
		{Title: "classifier score and digits covered (higher is better, 10 at most)",
			YLo: 0, YHi: NumClasses, Series: []imageio.Series{
				series(KeyScore, "score", 1), series(KeyCovered, "classes covered", 2)}},
		{Title: "KL of the class shares to uniform (0: balanced, 2.3: one digit)",
			YLo: 0, YHi: math.Log(NumClasses), Series: []imageio.Series{series(KeyKL, "KL", 3)}},
	}
}

// WriteReport writes ReportFile into outDir, a training run's out dir: one HTML file with
// every image inlined, readable offline and on its own. It shows the config and state of
// the checkpoint (or generator file), the sample grids across training, the loss plot,
// the plot of the evaluation numbers when the metrics log holds them (also written as
// EvalPlotFile), the last logged numbers, and the evaluation in ResultFile when there is
// one. Parts whose files are missing are left out; a dir with neither a checkpoint nor a
// metrics log is an error.
func WriteReport(outDir string) error {
	var b bytes.Buffer
	title := "dcgan-gpu training report: " + filepath.Base(filepath.Clean(outDir))
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"+
		"<style>%s</style></head><body>\n<h1>%s</h1>\n<p>%s, written %s.</p>\n",
		esc(title), reportCSS, esc(title), esc(outDir), time.Now().UTC().Format(time.RFC3339))

	found := false
	if ok, err := reportModel(&b, outDir); err != nil {
		return err
	} else if ok {
		found = true
	}
	recs, err := dcgan.ReadMetrics(filepath.Join(outDir, dcgan.MetricsFile))
	if err == nil {
		found = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !found {
		return fmt.Errorf("eval: report: %s holds neither a checkpoint nor %s", outDir,
			dcgan.MetricsFile)
	}
	if err := reportResult(&b, outDir); err != nil {
		return err
	}
	reportLast(&b, recs)
	if err := reportPlots(&b, outDir, recs); err != nil {
		return err
	}
	if err := reportSamples(&b, outDir); err != nil {
		return err
	}
	b.WriteString("</body></html>\n")
	if err := atomicfile.Write(filepath.Join(outDir, ReportFile), b.Bytes()); err != nil {
		return fmt.Errorf("eval: report: %w", err)
	}
	return nil
}

const reportCSS = `body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
img{image-rendering:pixelated;max-width:100%}figure{display:inline-block;margin:.4em}
figcaption{font-size:.85em;text-align:center}.note{color:#555;font-size:.9em}`

func esc(s string) string { return html.EscapeString(s) }

// reportModel writes the config and step of the run's checkpoint or generator file.
func reportModel(b *bytes.Buffer, dir string) (bool, error) {
	var cfg dcgan.Config
	var step int64 = -1
	var data, file string
	if ck, err := dcgan.LoadCheckpoint(filepath.Join(dir, dcgan.CheckpointFile)); err == nil {
		cfg, step, data, file = ck.Config, dcgan.StepOf(ck.State), ck.Data, ck.Path
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	} else if c, _, err := dcgan.LoadGenerator(filepath.Join(dir, dcgan.GeneratorFile)); err == nil {
		cfg, file = c, filepath.Join(dir, dcgan.GeneratorFile)
	} else if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else {
		return false, err
	}
	b.WriteString("<h2>Run</h2>\n<table>\n")
	row := func(k, v string) { fmt.Fprintf(b, "<tr><td>%s</td><td>%s</td></tr>\n", esc(k), esc(v)) }
	row("file", file)
	if step >= 0 {
		row("steps", fmt.Sprint(step))
	}
	if data != "" {
		row("data", data)
	}
	row("images", fmt.Sprintf("%d×%d×%d", cfg.ImageSize, cfg.ImageSize, cfg.Channels))
	row("nz, ngf, ndf", fmt.Sprintf("%d, %d, %d", cfg.LatentDim, cfg.GenFeatures, cfg.DiscFeatures))
	row("batch", fmt.Sprint(cfg.BatchSize))
	row("Adam lr, β1, β2", fmt.Sprintf("%g, %g, %g", cfg.LR, cfg.Beta1, cfg.Beta2))
	row("seed", fmt.Sprint(cfg.Seed))
	b.WriteString("</table>\n")
	return true, nil
}

// reportResult writes the table of ResultFile, if the dir has one.
func reportResult(b *bytes.Buffer, dir string) error {
	r, err := LoadResult(filepath.Join(dir, ResultFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "<h2>Evaluation</h2>\n<p>%d images from noise seed %d, batch norm %s; %s. "+
		"%s</p>\n", r.Generated.N, r.Seed, esc(r.BN), esc(r.Classifier), esc(ResultLegend))
	b.WriteString("<table><tr><th></th><th>FD ↓</th><th>score ↑</th><th>classes ↑</th>" +
		"<th>KL to uniform ↓</th><th>confidence</th></tr>\n")
	for _, row := range r.Rows() {
		s := row.Scores
		fmt.Fprintf(b, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%d/%d</td><td>%.4f</td>"+
			"<td>%.3f</td></tr>\n", esc(row.Name), s.FD, s.Score, s.Covered, NumClasses, s.KL,
			s.Confidence)
	}
	fmt.Fprintf(b, "</table>\n<p class=\"note\">class shares of the generated images: %s</p>\n",
		esc(r.Generated.SharesString()))
	for _, n := range r.Notes {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", esc(n))
	}
	return nil
}

// ResultLegend says what the columns of a Result's table mean.
const ResultLegend = "FD: Fréchet distance between Gaussians of the classifier's penultimate " +
	"features of the images and of the 10000 MNIST test digits. Score: exp E[KL(p(y|x) ‖ " +
	"p(y))], from 1 to 10. Classes: digits predicted for at least 5% of the images. KL: of " +
	"the predicted class shares to uniform, in nats (0 balanced, 2.30 a single digit). " +
	"Floor: real MNIST training digits, as many as generated; ceiling: uniform noise."

// NamedScores is one row of a Result's table.
type NamedScores struct {
	Name   string
	Scores Scores
}

// Rows lists the result's rows: generated, then the floor and ceiling when present.
func (r *Result) Rows() []NamedScores {
	rows := []NamedScores{{"generated", r.Generated}}
	if r.Floor != nil {
		rows = append(rows, NamedScores{"floor: MNIST train digits", *r.Floor})
	}
	if r.Ceiling != nil {
		rows = append(rows, NamedScores{"ceiling: uniform noise", *r.Ceiling})
	}
	return rows
}

// reportLast writes the numbers of the last logged step.
func reportLast(b *bytes.Buffer, recs []dcgan.MetricRecord) {
	if len(recs) == 0 {
		return
	}
	r := recs[len(recs)-1]
	fmt.Fprintf(b, "<h2>Last logged step</h2>\n<table><tr><th>step</th><th>epoch</th>"+
		"<th>loss D</th><th>loss G</th><th>D(x)</th><th>D(G(z))</th><th>img/s</th></tr>\n"+
		"<tr><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%.3f / %.3f</td>"+
		"<td>%.0f</td></tr></table>\n", r.Step, r.Epoch+1, r.LossD, r.LossG, r.DX, r.DGZ1, r.DGZ2,
		r.ImgPerSec)
	for i := len(recs) - 1; i >= 0; i-- {
		if fd, ok := recs[i].Extra[KeyFD]; ok {
			e := recs[i].Extra
			fmt.Fprintf(b, "<p>Last evaluation during training (step %d): FD %.3f, score %.3f, "+
				"%.0f classes covered, KL to uniform %.4f.</p>\n", recs[i].Step, fd, e[KeyScore],
				e[KeyCovered], e[KeyKL])
			break
		}
	}
}

// reportPlots inlines the run's loss plot, and draws and inlines the evaluation plot.
func reportPlots(b *bytes.Buffer, dir string, recs []dcgan.MetricRecord) error {
	if len(recs) == 0 {
		return nil
	}
	b.WriteString("<h2>Plots</h2>\n")
	loss := filepath.Join(dir, dcgan.LossPlotFile)
	if _, err := os.Stat(loss); err == nil {
		if err := inlineImage(b, loss, "losses and D's outputs against the step"); err != nil {
			return err
		}
	}
	if panels := Panels(recs); panels != nil {
		path := filepath.Join(dir, EvalPlotFile)
		if err := imageio.SaveLossPlot(path, panels); err != nil {
			return err
		}
		return inlineImage(b, path, "evaluation numbers against the step")
	}
	return nil
}

// reportSamples inlines the real grid and up to eight sample grids spread over training.
func reportSamples(b *bytes.Buffer, dir string) error {
	grids, err := filepath.Glob(filepath.Join(dir, dcgan.SamplesDir, "step_*.png"))
	if err != nil {
		return fmt.Errorf("eval: report: %w", err)
	}
	sort.Strings(grids) // step_%07d.png sorts by step
	real := filepath.Join(dir, dcgan.RealGridFile)
	_, realErr := os.Stat(real)
	if len(grids) == 0 && realErr != nil {
		return nil
	}
	b.WriteString("<h2>Samples across training</h2>\n<p class=\"note\">The same fixed noise " +
		"at each step.</p>\n")
	for _, g := range spread(grids, 8) {
		step := strings.TrimLeft(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(g), "step_"),
			".png"), "0")
		if err := inlineImage(b, g, "step "+step); err != nil {
			return err
		}
	}
	if realErr == nil {
		return inlineImage(b, real, "real images")
	}
	return nil
}

// spread picks at most k of items, evenly spaced, always the first and the last.
func spread(items []string, k int) []string {
	if len(items) <= k {
		return items
	}
	out := make([]string, k)
	for i := range out {
		out[i] = items[i*(len(items)-1)/(k-1)]
	}
	return out
}

// inlineImage writes path as a figure with its bytes in a data URL.
func inlineImage(b *bytes.Buffer, path, caption string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("eval: report: %w", err)
	}
	fmt.Fprintf(b, "<figure><img alt=\"%s\" src=\"data:image/png;base64,%s\">"+
		"<figcaption>%s</figcaption></figure>\n", esc(caption),
		base64.StdEncoding.EncodeToString(raw), esc(caption))
	return nil
}
