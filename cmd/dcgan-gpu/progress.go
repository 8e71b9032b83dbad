package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
)

// progress shows training on a terminal as one redrawn bar, elsewhere (a log file, CI) as
// a line every few seconds.
type progress struct {
	w        io.Writer
	terminal bool
	last     time.Time
	every    time.Duration
	drawn    bool
}

func newProgress(w io.Writer) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		st, err := f.Stat()
		tty = err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
	}
	return &progress{w: w, terminal: tty, every: 10 * time.Second}
}

func (p *progress) update(r dcgan.Report) {
	now := time.Now()
	final := r.Step == r.Total
	if p.terminal {
		if now.Sub(p.last) < 100*time.Millisecond && !final {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "\r%s %s\x1b[K", bar(r.Step, r.Total, 24), statusLine(r))
		p.drawn = true
		if r.Extra != nil {
			fmt.Fprintf(p.w, "\r%s\x1b[K\n", evalLine(r))
		}
		return
	}
	if r.Extra != nil {
		fmt.Fprintln(p.w, evalLine(r))
	}
	if now.Sub(p.last) < p.every && !final && r.Step > 1 {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, statusLine(r))
}

// evalLine reports the evaluation numbers of a step (train --eval-every).
func evalLine(r dcgan.Report) string {
	x := r.Extra
	return fmt.Sprintf("eval step %d: FD %.1f | score %.2f | classes %.0f/%d | KL %.3f",
		r.Step, x[eval.KeyFD], x[eval.KeyScore], x[eval.KeyCovered], eval.NumClasses,
		x[eval.KeyKL])
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// statusLine is the fixed-format line of one logged step.
func statusLine(r dcgan.Report) string {
	s := fmt.Sprintf("ep %d/%d step %d/%d | D %.3f | G %.3f | D(x) %.3f | D(G(z)) %.3f/%.3f",
		r.Epoch+1, r.Epochs, r.Step, r.Total, r.LossD, r.LossG, r.DReal, r.DFake, r.DFakeG)
	if r.ImgPerSec > 0 {
		s += fmt.Sprintf(" | %.0f img/s | ETA %s", r.ImgPerSec, r.Remains.Round(time.Second))
	}
	return s
}

func bar(done, total int64, width int) string {
	n := int(int64(width) * done / max(total, 1))
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

// printHeader writes the run's configuration before the first step.
func printHeader(w io.Writer, cfg dcgan.Config, device string, src data.Source,
	o dcgan.TrainOptions) {
	g, d := dcgan.Generator(cfg), dcgan.Discriminator(cfg)
	fmt.Fprintf(w, "device   %s\n", device)
	fmt.Fprintf(w, "data     %s\n", src.Name()) // names carry the image count
	fmt.Fprintf(w, "model    %d×%d×%d, nz %d, ngf %d, ndf %d: G %d params, D %d params\n",
		cfg.ImageSize, cfg.ImageSize, cfg.Channels, cfg.LatentDim, cfg.GenFeatures,
		cfg.DiscFeatures, g.LearnedSize(), d.LearnedSize())
	fmt.Fprintf(w, "train    batch %d, lr %g, β1 %g, seed %d", cfg.BatchSize, cfg.LR, cfg.Beta1,
		cfg.Seed)
	if o.Steps > 0 {
		fmt.Fprintf(w, ", %d steps", o.Steps)
	} else {
		fmt.Fprintf(w, ", %d epochs of %d steps", o.Epochs, src.Len()/cfg.BatchSize)
	}
	fmt.Fprintf(w, "\nout      %s\n", o.OutDir)
}
