package bench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Suite runs the rows of a sweep: ours, then PyTorch, then PyTorch compiled, row by row, so
// that a change in the machine's load touches both sides of a row alike.
type Suite struct {
	Ours  Executor // our backend; required
	Torch *Torch   // nil: the PyTorch columns say TorchNote
	// TorchNote is the PyTorch status when Torch is nil, e.g. "not run: no python with torch".
	TorchNote string
	// TorchSkip gives, per device, a PyTorch status that stands for running it there, e.g.
	// "not run: torch.cuda.is_available() is False".
	TorchSkip map[string]string
	// Deadline, when set, leaves the rows not started by then as "not run: time limit".
	Deadline  time.Time
	LimitNote string
	// Progress, when set, is called after each row.
	Progress func(r Row)
}

// Run measures rows in place. A device whose backend cannot be opened (or whose child dies
// before it can report) is not tried again: its later rows say why. Run returns only the
// context's error, after marking the rows it did not reach; failures of single rows are
// recorded in the rows.
func (s *Suite) Run(ctx context.Context, rows []Row) error {
	unavailable := map[string]string{}
	for i := range rows {
		r := &rows[i]
		if err := ctx.Err(); err != nil {
			for j := i; j < len(rows); j++ {
				if rows[j].Note == "" {
					rows[j].Note = "not run: interrupted"
				}
			}
			return err
		}
		if r.Note == "" && unavailable[r.Device] != "" {
			r.Note = unavailable[r.Device]
		}
		if r.Note == "" && !s.Deadline.IsZero() && time.Now().After(s.Deadline) {
			r.Note = s.LimitNote
			if r.Note == "" {
				r.Note = "not run: time limit reached"
			}
		}
		if r.Note != "" {
			s.report(*r)
			continue
		}
		m, err := s.Ours(ctx, r.Job)
		if m == nil && err != nil {
			m = &Measurement{Error: err.Error()}
		}
		r.Ours = m
		if err != nil && m.Stage == "open" {
			unavailable[r.Device] = fmt.Sprintf("not run: %s unavailable (%s)", r.Device,
				tail(m.Error, 160))
		}
		if ctx.Err() == nil {
			s.runTorch(ctx, r)
		}
		r.Load, _, _ = strings.Cut(LoadAverage(), " ")
		s.report(*r)
	}
	return nil
}

// runTorch fills the PyTorch sides of r.
func (s *Suite) runTorch(ctx context.Context, r *Row) {
	if s.Torch == nil || s.TorchSkip[r.Device] != "" {
		note := s.TorchSkip[r.Device]
		if note == "" {
			note = s.TorchNote
		}
		if note == "" {
			note = "not run"
		}
		r.Torch = &Measurement{Skipped: note}
		if r.Compile {
			r.Compiled = &Measurement{Skipped: note}
		}
		return
	}
	r.Torch, _ = s.Torch.Run(ctx, r.Job, false)
	if r.Compile {
		r.Compiled, _ = s.Torch.Run(ctx, r.Job, true)
	}
}

func (s *Suite) report(r Row) {
	if s.Progress != nil {
		s.Progress(r)
	}
}

// Line is a one-line progress summary of a row.
func Line(r Row) string {
	head := fmt.Sprintf("%-10s %-4s N%-5d", r.Shape, r.Device, r.Batch)
	if r.Note != "" {
		return head + " " + r.Note
	}
	side := func(name string, m *Measurement) string {
		if !m.OK() {
			return name + " " + status(m, "")
		}
		s := m.Summarize()
		return fmt.Sprintf("%s %s ms/step (%s–%s, %d steps) %s img/s", name, fmtMS(s.Median),
			fmtMS(s.Min), fmtMS(s.Max), s.Reps, fmtRate(ImgPerSec(m, r.Batch)))
	}
	line := head + " " + side("ours", r.Ours) + " | " + side("torch", r.Torch)
	if t := OverTorch(r, r.Torch); t > 0 {
		line += " | ours/torch " + fmtRatio(t)
	}
	if r.Load != "" {
		line += " | load " + r.Load
	}
	return line
}

// Method describes how the plan measures, one sentence per line, for under the table.
func Method(p Plan, torchThreads int, inProcess bool) []string {
	var steps []string
	for _, d := range p.Devices {
		st, ok := p.Steps[d]
		if !ok {
			st = DefaultSteps(d)
		}
		reps := fmt.Sprintf("%d timed", st.MinReps)
		if st.MaxReps > st.MinReps {
			reps = fmt.Sprintf("%d to %d timed (as many as fill %g s)", st.MinReps,
				st.MaxReps, st.Target)
		}
		steps = append(steps, fmt.Sprintf("%s: %d untimed, then %s", d, st.Warmup, reps))
	}
	rss := "the VmHWM of the child process that ran the row alone"
	if inProcess {
		rss = "this process's VmHWM so far (in-process run: it only grows from row to row)"
	}
	notes := []string{
		"Step: ours is Backend.Step then Stats on one synthetic batch reused every step " +
			"(data loading is not timed); PyTorch runs the same architecture and step " +
			"(bench/torch_bench.py: D on real, D on fake, D update, G through D, G update; " +
			"BCEWithLogitsLoss; Adam 2e-4, β 0.5/0.999). Both take a uint8 batch from the " +
			"host, normalise it and draw the noise inside the step.",
		"Warm-up excluded (NOTE [warm-up] in package bench); steps per run: " +
			strings.Join(steps, "; ") + ". ms/step is the median step with the fastest " +
			"and slowest in brackets.",
		"Timers: ours, wall clock around Step and Stats (Stats waits for a device " +
			"backend) or CUDA events where the backend offers them; PyTorch, perf_counter " +
			"on the CPU and CUDA events on a GPU.",
		"GFLOP/s: dcgan.StepFLOPs (convolution forward, backward-data and backward-filter " +
			"as PyTorch's step runs them, plus batch norm, activations, loss and Adam, " +
			"under 1%) over the median step; our CPU step skips D's weight gradients in " +
			"the G pass (PyTorch computes and discards them), so its GFLOP/s is effective " +
			"work: it executes about 8% less than is counted. % peak: of the practical " +
			"peak in the header.",
		"Peak RSS: " + rss + ". PyTorch's peak RSS (in the CSV) is its Python process's " +
			"and includes the interpreter and torch's libraries.",
		"Device mem: what our backend reports it allocated at most; PyTorch's (in the " +
			"CSV) is torch.cuda.max_memory_allocated, without the CUDA context.",
		"ours/PyTorch and ours/compiled: our img/s over PyTorch's in the same row (above " +
			"1×: ours is faster). GPU/CPU: our GPU img/s over our best CPU img/s at the " +
			"same image shape in this run.",
		fmt.Sprintf("Threads: PyTorch torch.set_num_threads(%d) on the CPU; ours, OpenBLAS's "+
			"threads and GOMAXPROCS (the BLAS line above).", torchThreads),
		fmt.Sprintf("Model: nz %d, ngf %d, ndf %d, float32 NCHW; seed %d.", p.LatentDim,
			p.GenFeatures, p.DiscFeatures, p.Seed),
	}
	if p.CompileBatch > 0 {
		notes = append(notes, fmt.Sprintf("torch.compile runs at batch %d only (compiling "+
			"takes far longer than the steps it times).", p.CompileBatch))
	}
	return notes
}
