package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Row is one configuration of the sweep and what each side measured.
type Row struct {
	Job
	Flops   int64 `json:"flops_per_step"` // dcgan.StepFLOPs(...).Total()
	Compile bool  `json:"compile"`        // a torch.compile run belongs to this row
	// Note says why the row did not run ("not run: CPU-only build", "skipped: …"); then
	// no side runs. A side that ran but failed has its Measurement's Error set.
	Note     string       `json:"note,omitempty"`
	Ours     *Measurement `json:"ours,omitempty"`
	Torch    *Measurement `json:"torch,omitempty"`
	Compiled *Measurement `json:"torch_compile,omitempty"`
	// Load is the 1-minute load average when the row finished: on a shared machine, a
	// row measured under load says so.
	Load string `json:"load_1min,omitempty"`
}

// Results is a whole sweep: the machine, the rows and how it was measured.
type Results struct {
	Machine Machine  `json:"machine"`
	Rows    []Row    `json:"rows"`
	Method  []string `json:"method"` // one sentence each, printed under the table
	Seconds float64  `json:"seconds"`
}

// ImgPerSec is batch images over the median step, 0 when m did not run.
func ImgPerSec(m *Measurement, batch int) float64 {
	if !m.OK() {
		return 0
	}
	return float64(batch) / (m.Summarize().Median / 1e3)
}

// GFLOPS is the row's achieved rate on our side.
func (r Row) GFLOPS() float64 {
	if !r.Ours.OK() {
		return 0
	}
	return float64(r.Flops) / (r.Ours.Summarize().Median / 1e3) / 1e9
}

// PctPeak is our achieved rate as a percentage of the device's practical peak, 0 when
// either is unknown.
func (res *Results) PctPeak(r Row) float64 {
	peak := res.Machine.SgemmGFLOPS
	if r.Device == CUDA {
		peak = res.Machine.GPUPeak
	}
	if peak <= 0 {
		return 0
	}
	return 100 * r.GFLOPS() / peak
}

// OverTorch is our img/s over PyTorch's (above 1: ours is faster), 0 when one is missing.
func OverTorch(r Row, torch *Measurement) float64 {
	if !r.Ours.OK() || !torch.OK() {
		return 0
	}
	return torch.Summarize().Median / r.Ours.Summarize().Median
}

// GPUOverCPU is a GPU row's img/s over the best img/s of our CPU backend at the same image
// shape in the same sweep, 0 for CPU rows or without a CPU row.
func (res *Results) GPUOverCPU(r Row) float64 {
	if r.Device != CUDA || !r.Ours.OK() {
		return 0
	}
	best := 0.0
	for _, c := range res.Rows {
		if c.Device == CPU && c.Shape == r.Shape {
			best = max(best, ImgPerSec(c.Ours, c.Batch))
		}
	}
	if best == 0 {
		return 0
	}
	return ImgPerSec(r.Ours, r.Batch) / best
}

// status is the word for a side that has no numbers: its note, skip reason or error.
func status(m *Measurement, rowNote string) string {
	switch {
	case rowNote != "":
		return rowNote
	case m == nil:
		return "not run"
	case strings.HasPrefix(m.Skipped, "not run"):
		return m.Skipped
	case m.Skipped != "":
		return "skipped: " + m.Skipped
	case m.Error != "":
		return "failed: " + m.Error
	}
	return "ok"
}

// fmtMS writes a step time with three significant digits or more.
func fmtMS(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// fmtRate writes img/s or GFLOP/s with three significant digits or more.
func fmtRate(v float64) string {
	switch {
	case v <= 0 || math.IsNaN(v):
		return "—"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func fmtRatio(v float64) string {
	if v <= 0 {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "×"
}

func fmtMiB(b int64) string {
	if b <= 0 {
		return "—"
	}
	return strconv.FormatInt((b+1<<19)>>20, 10) + " MiB"
}

// fmtSteps is "median (min–max)" of a measurement, or its status.
func fmtSteps(m *Measurement, rowNote string) string {
	if !m.OK() || rowNote != "" {
		return mdEscape(status(m, rowNote))
	}
	s := m.Summarize()
	return fmt.Sprintf("%s (%s–%s)", fmtMS(s.Median), fmtMS(s.Min), fmtMS(s.Max))
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

// WriteMarkdown writes the header, the table and the method as Markdown.
func (res *Results) WriteMarkdown(w io.Writer) error {
	m := res.Machine
	var b strings.Builder
	fmt.Fprintf(&b, "# DCGAN training step: ours against PyTorch\n\n")
	fmt.Fprintf(&b, "%s, %s.\n\n", m.Date, m.ID())
	fmt.Fprintf(&b, "| Machine | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, mdEscape(v)) }
	row("CPU", fmt.Sprintf("%s (%s family %#x), %d logical CPUs, %.0f MHz reported, %s",
		m.CPU.Model, m.CPU.Vendor, m.CPU.Family, m.CPU.Threads, m.CPU.MHz, m.CPU.Vector))
	row("CPU peak, practical", fmt.Sprintf("%s GFLOP/s: best ref.Sgemm %d³ (%s at the "+
		"start, %s at the end; the %% peak of CPU rows)", fmtRate(m.SgemmGFLOPS), m.SgemmSize,
		fmtRate(m.SgemmStart), fmtRate(m.SgemmEnd)))
	if m.TheoryGFLOPS > 0 {
		row("CPU peak, theoretical", fmt.Sprintf("%s GFLOP/s: %s", fmtRate(m.TheoryGFLOPS),
			m.TheoryNote))
	} else {
		row("CPU peak, theoretical", m.TheoryNote)
	}
	row("BLAS", m.BLAS)
	row("Go", m.Go+" "+m.OS)
	row("GPU", orNone(m.GPU))
	if m.GPUPeak > 0 {
		row("GPU peak, practical", fmt.Sprintf("%s GFLOP/s: %s", fmtRate(m.GPUPeak),
			m.GPUPeakNote))
	}
	row("PyTorch", m.Torch)
	row("Load average (1/5/15 min)", fmt.Sprintf("start %s, end %s", m.LoadStart, m.LoadEnd))
	row("Command", "`"+m.Command+"`")
	row("Wall time", fmt.Sprintf("%.0f s", res.Seconds))

	b.WriteString("\n| image | device | batch | ms/step median (min–max) | steps | img/s | " +
		"GFLOP/s | % peak | peak RSS | device mem | PyTorch ms/step median (min–max) | " +
		"PyTorch img/s | ours/PyTorch | torch.compile img/s | ours/compiled | GPU/CPU |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" +
		"---:|---:|\n")
	for i := 0; i < len(res.Rows); {
		r := res.Rows[i]
		j := i + 1
		for r.Note != "" && j < len(res.Rows) && sameNotRun(r, res.Rows[j]) {
			j++
		}
		if j-i > 1 {
			// Rows that did not run for one reason share one line: "32–1024".
			b.WriteString(notRunLine(r, res.Rows[j-1].Batch))
		} else {
			res.markdownRow(&b, r)
		}
		i = j
	}
	b.WriteString("\n")
	for _, s := range res.Method {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (res *Results) markdownRow(b *strings.Builder, r Row) {
	steps := "—"
	if r.Ours.OK() && r.Note == "" {
		steps = strconv.Itoa(r.Ours.Summarize().Reps)
	}
	var rss, dev string = "—", "—"
	if r.Ours != nil {
		rss, dev = fmtMiB(r.Ours.PeakRSS), fmtMiB(r.Ours.DeviceMem)
	}
	pct := "—"
	if p := res.PctPeak(r); p > 0 {
		pct = strconv.FormatFloat(p, 'f', 0, 64) + "%"
	} else if r.Ours.OK() {
		pct = "unknown"
	}
	torchSteps, torchRate := "—", "—"
	if r.Note == "" {
		torchSteps = fmtSteps(r.Torch, "")
		torchRate = fmtRate(ImgPerSec(r.Torch, r.Batch))
	}
	compRate, compRatio := "—", "—"
	if r.Compile && r.Note == "" {
		compRate = fmtRate(ImgPerSec(r.Compiled, r.Batch))
		if !r.Compiled.OK() {
			compRate = mdEscape(status(r.Compiled, ""))
		}
		compRatio = fmtRatio(OverTorch(r, r.Compiled))
	}
	cells := []string{r.Shape.String(), r.Device, strconv.Itoa(r.Batch),
		fmtSteps(r.Ours, r.Note), steps, fmtRate(ImgPerSec(r.Ours, r.Batch)),
		fmtRate(r.GFLOPS()), pct, rss, dev, torchSteps, torchRate,
		fmtRatio(OverTorch(r, r.Torch)), compRate, compRatio, fmtRatio(res.GPUOverCPU(r))}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}

// sameNotRun reports whether b continues a's run of rows left out for one reason.
func sameNotRun(a, b Row) bool {
	return b.Note == a.Note && b.Shape == a.Shape && b.Device == a.Device
}

// notRunLine is one table line for the batches of r's shape and device from r.Batch to
// last, which did not run for r.Note.
func notRunLine(r Row, last int) string {
	cells := []string{r.Shape.String(), r.Device, fmt.Sprintf("%d–%d", r.Batch, last),
		mdEscape(r.Note)}
	for range 12 {
		cells = append(cells, "—")
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// CSVHeader names the columns of WriteCSV.
var CSVHeader = []string{"image", "size", "channels", "device", "batch", "flops_per_step",
	"status", "steps", "ms_median", "ms_min", "ms_max", "img_per_s", "gflop_per_s",
	"pct_peak", "peak_rss_mib", "device_mem_mib", "torch_status", "torch_steps",
	"torch_ms_median", "torch_ms_min", "torch_ms_max", "torch_img_per_s",
	"torch_peak_rss_mib", "torch_device_mem_mib", "ours_over_torch", "compile_status",
	"compile_ms_median", "compile_img_per_s", "ours_over_compile", "gpu_over_cpu",
	"load_1min"}

// WriteCSV writes one line per row with the raw numbers (empty where not measured).
func (res *Results) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("bench: csv: %w", err)
	}
	for _, r := range res.Rows {
		rec := []string{r.Shape.String(), strconv.Itoa(r.Shape.Size),
			strconv.Itoa(r.Shape.Channels), r.Device, strconv.Itoa(r.Batch),
			strconv.FormatInt(r.Flops, 10), status(r.Ours, r.Note)}
		rec = append(rec, csvSide(r.Ours)[:4]...)
		rec = append(rec, num(ImgPerSec(r.Ours, r.Batch)), num(r.GFLOPS()),
			num(res.PctPeak(r)), mib(r.Ours, false), mib(r.Ours, true))
		torchStatus := status(r.Torch, r.Note)
		rec = append(rec, torchStatus)
		rec = append(rec, csvSide(r.Torch)[:4]...)
		rec = append(rec, num(ImgPerSec(r.Torch, r.Batch)), mib(r.Torch, false),
			mib(r.Torch, true), num(OverTorch(r, r.Torch)))
		compStatus := ""
		if r.Compile {
			compStatus = status(r.Compiled, r.Note)
		}
		rec = append(rec, compStatus, csvSide(r.Compiled)[1],
			num(ImgPerSec(r.Compiled, r.Batch)), num(OverTorch(r, r.Compiled)),
			num(res.GPUOverCPU(r)), r.Load)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("bench: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bench: csv: %w", err)
	}
	return nil
}

// csvSide is steps, median, min, max of a measurement, empty when it did not run.
func csvSide(m *Measurement) []string {
	if !m.OK() {
		return []string{"", "", "", ""}
	}
	s := m.Summarize()
	return []string{strconv.Itoa(s.Reps), num(s.Median), num(s.Min), num(s.Max)}
}

func num(v float64) string {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func mib(m *Measurement, device bool) string {
	if m == nil {
		return ""
	}
	b := m.PeakRSS
	if device {
		b = m.DeviceMem
	}
	return num(float64(b) / (1 << 20))
}

// WriteJSON writes the whole results, per-step times included.
func (res *Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("bench: json: %w", err)
	}
	return nil
}

// Files of a results folder.
const (
	MarkdownFile = "results.md"
	CSVFile      = "results.csv"
	JSONFile     = "results.json"
	ChartFile    = "img_per_s.png"
)

// WriteDir writes the Markdown, CSV, JSON and (when a row was measured) the chart into
// dir, creating it, and returns the paths written.
func (res *Results) WriteDir(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: results: %w", err)
	}
	var paths []string
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{MarkdownFile, res.WriteMarkdown}, {CSVFile, res.WriteCSV}, {JSONFile, res.WriteJSON}} {
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return paths, fmt.Errorf("bench: results: %w", err)
		}
		paths = append(paths, p)
	}
	if len(chartLines(res.Rows)) == 0 {
		return paths, nil
	}
	p := filepath.Join(dir, ChartFile)
	if err := res.WriteChart(p); err != nil {
		return paths, err
	}
	return append(paths, p), nil
}
