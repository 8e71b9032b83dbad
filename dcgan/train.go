package dcgan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"gorgonia.org/tensor"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/imageio"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// Files a training run writes in its out dir.
const (
	CheckpointFile = "checkpoint.safetensors" // full state for --resume
	GeneratorFile  = "generator.safetensors"  // netG alone, PyTorch state_dict keys
	MetricsFile    = "metrics.jsonl"          // one JSON record per logged step
	LossPlotFile   = "loss.png"
	RealGridFile   = "real.png"
	SamplesDir     = "samples"
)

// ErrInterrupted is returned when the context was cancelled (SIGINT): a checkpoint of the
// last finished step was written first.
var ErrInterrupted = errors.New("dcgan: training interrupted")

// TrainOptions says how long to train and what to write.
type TrainOptions struct {
	Epochs          int    // passes over the data; ignored when Steps > 0
	Steps           int64  // total steps to reach (counted from the start of the run)
	OutDir          string // created if missing
	LogEvery        int    // steps between metrics records (1: every step)
	SampleEvery     int    // steps between fixed-noise sample grids (0: only at the end)
	CheckpointEvery int    // steps between checkpoints (0: only at the end)
	Workers         int    // data loader goroutines
	DataName        string // description of the data set, kept in checkpoints
	DataKind        string // how it was opened (data.Options' Kind and Path), kept too,
	DataPath        string // so that a resume can open it again by itself
	WarmupSteps     int    // steps left out of img/s
	// OnLog is called at each logged step (from the training goroutine).
	OnLog func(Report)

	// Eval, when set, scores the generator every EvalEvery steps and at the last step; its
	// numbers join that step's metrics record (MetricRecord.Extra), which is then written
	// whatever LogEvery says. gen is the backend's Generate. The time it takes is left out
	// of img/s.
	Eval      func(gen func(z *tensor.Dense) (*tensor.Dense, error)) (map[string]float64, error)
	EvalEvery int
	// Plot, when set, draws panels from the metrics history into PlotFile in the out dir,
	// refreshed with the loss plot.
	Plot     func([]MetricRecord) []imageio.Panel
	PlotFile string
}

// Report is what the training loop tells its caller at each logged step.
type Report struct {
	StepStats
	Epoch, Epochs    int                // epoch of the step just taken (from 0), epochs to run
	Total            int64              // steps the run will reach
	ImgPerSec        float64            // since warm-up, excluding sample and checkpoint writes
	Elapsed, Remains time.Duration      // wall time so far and estimated to go
	Extra            map[string]float64 // opts.Eval's numbers, at the steps it ran
}

// Run trains b on src. When from is non-nil, the run resumes it: b is loaded with its
// state and the data order continues where it stopped, so the steps taken are the ones a
// straight run would have taken. Run returns ErrInterrupted when ctx is cancelled and
// ErrNonFinite (wrapped) when a step's loss is NaN or Inf; in both cases the last
// checkpoint in the out dir is a good one.
func Run(ctx context.Context, cfg Config, b Backend, src data.Source, opts TrainOptions,
	from *Checkpoint) error {
	r, err := newRun(cfg, b, src, opts, from)
	if err != nil {
		return err
	}
	defer r.loader.Close()
	return r.loop(ctx)
}

// run is the state of one training run.
type run struct {
	cfg      Config
	b        Backend
	opts     TrainOptions
	loader   *data.Loader
	metrics  *MetricsLog
	perEpoch int64
	total    int64
	step     int64 // steps taken
	epoch    int   // epoch of the next batch
	pos      int   // batch index in that epoch
	fixed    *tensor.Dense
	history  []MetricRecord
	evalTime time.Duration // spent in opts.Eval since img/s started counting
}

func newRun(cfg Config, b Backend, src data.Source, opts TrainOptions, from *Checkpoint) (*run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if src.Len() < cfg.BatchSize {
		return nil, fmt.Errorf("%w: batch size %d is larger than the data set %s",
			ErrConfig, cfg.BatchSize, src.Name())
	}
	if err := prepareOutDir(opts.OutDir); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, b: b, opts: opts, perEpoch: int64(src.Len() / cfg.BatchSize)}
	r.total = opts.Steps
	if r.total <= 0 {
		r.total = int64(opts.Epochs) * r.perEpoch
	}
	if r.total <= 0 {
		return nil, fmt.Errorf("%w: nothing to do: epochs %d, steps %d", ErrConfig,
			opts.Epochs, opts.Steps)
	}
	if from != nil {
		if err := r.resume(from); err != nil {
			return nil, err
		}
	}
	loader, err := data.NewLoader(src, cfg.BatchSize, cfg.Seed, r.epoch, r.pos, opts.Workers)
	if err != nil {
		return nil, err
	}
	r.loader = loader
	r.fixed = fixedNoise(cfg, 64)
	return r, nil
}

// resume loads a checkpoint's state and drops metric records from after it.
func (r *run) resume(ck *Checkpoint) error {
	if err := ck.CompatibleWith(r.cfg); err != nil {
		return err
	}
	if err := r.b.Load(ck.State); err != nil {
		return err
	}
	r.step = StepOf(ck.State)
	r.epoch, r.pos = ck.Epoch, ck.Pos
	return TruncateMetrics(filepath.Join(r.opts.OutDir, MetricsFile), r.step)
}

// StepOf reads the step counter of a backend state (0 when it has none).
func StepOf(state map[string]*tensor.Dense) int64 {
	n, err := stepValue(state["step"])
	if err != nil {
		return 0
	}
	return n
}

// fixedNoise is the sample grids' noise: the same for every run with the same seed.
func fixedNoise(cfg Config, n int) *tensor.Dense {
	z := make([]float32, n*cfg.LatentDim)
	ref.FillNormal(z, cfg.Seed, FixedNoiseStream())
	return tensor.New(tensor.WithShape(n, cfg.LatentDim), tensor.WithBacking(z))
}

// prepareOutDir creates dir and proves it can be written, before any step is spent.
func prepareOutDir(dir string) error {
	if dir == "" {
		return fmt.Errorf("%w: no out dir", ErrConfig)
	}
	if err := os.MkdirAll(filepath.Join(dir, SamplesDir), 0o755); err != nil {
		return fmt.Errorf("dcgan: out dir %s cannot be written: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("dcgan: out dir %s cannot be written: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// loop takes steps until the total is reached, the context ends or a step fails.
func (r *run) loop(ctx context.Context) error {
	// A resumed run appends to the records resume kept; a fresh one starts the log afresh,
	// so a stale log (of a run that failed before its first checkpoint) is not continued.
	var err error
	r.metrics, err = OpenMetrics(filepath.Join(r.opts.OutDir, MetricsFile), r.step > 0)
	if err != nil {
		return err
	}
	defer r.metrics.Close()
	if r.history, err = ReadMetrics(r.metrics.Path()); err != nil {
		return err
	}

	start, timed := time.Time{}, int64(0)
	var busy time.Duration // time spent writing samples and checkpoints, left out of img/s
	first := true
	warm := r.step + int64(r.opts.WarmupSteps) + 1 // img/s counts from the step after this
	for r.step < r.total {
		if ctx.Err() != nil {
			return r.interrupt()
		}
		batch, err := r.loader.Next()
		if err != nil {
			return err
		}
		if first {
			if err := r.saveRealGrid(batch); err != nil {
				return err
			}
			first = false
		}
		if err := r.b.Step(batch); err != nil {
			if errors.Is(err, ErrNonFinite) {
				return r.nonFinite(err)
			}
			return err
		}
		r.step++
		r.advance()
		if r.step == warm {
			start, timed, busy, r.evalTime = time.Now(), r.step, 0, 0
		}

		extra, err := r.evaluate()
		if err != nil {
			return err
		}
		if r.due(r.opts.LogEvery) || extra != nil {
			if err := r.log(start, timed, busy, extra); err != nil {
				return err
			}
		}
		t0 := time.Now()
		if extra != nil && !r.due(r.opts.SampleEvery) && r.step != r.total {
			if err := r.savePlot(); err != nil {
				return err
			}
		}
		if r.due(r.opts.SampleEvery) || r.step == r.total {
			if err := r.saveSamples(); err != nil {
				return err
			}
		}
		if r.due(r.opts.CheckpointEvery) || r.step == r.total {
			if err := r.saveCheckpoint(); err != nil {
				return err
			}
		}
		busy += time.Since(t0)
	}
	return nil
}

// evaluate runs opts.Eval when it is due and returns its numbers (nil when not due),
// adding its time to r.evalTime, which img/s leaves out.
func (r *run) evaluate() (map[string]float64, error) {
	if r.opts.Eval == nil || !(r.due(r.opts.EvalEvery) || r.step == r.total) {
		return nil, nil
	}
	t0 := time.Now()
	extra, err := r.opts.Eval(r.b.Generate)
	r.evalTime += time.Since(t0)
	if err != nil {
		return nil, fmt.Errorf("evaluation at step %d: %w", r.step, err)
	}
	if extra == nil {
		extra = map[string]float64{}
	}
	return extra, nil
}

// advance moves the data position past the batch just used.
func (r *run) advance() {
	r.pos++
	if int64(r.pos) == r.perEpoch {
		r.epoch, r.pos = r.epoch+1, 0
	}
}

func (r *run) due(every int) bool {
	return every > 0 && r.step%int64(every) == 0
}

// log fetches the step's numbers, appends them to the metrics file and reports them.
func (r *run) log(start time.Time, timed int64, busy time.Duration,
	extra map[string]float64) error {
	st, err := r.b.Stats()
	if err != nil {
		return err
	}
	if st.NonFini || !finite(st.LossD) || !finite(st.LossG) {
		return r.nonFinite(fmt.Errorf("%w at step %d: loss_D %g, loss_G %g",
			ErrNonFinite, r.step, st.LossD, st.LossG))
	}
	rep := Report{StepStats: st, Epoch: int((r.step - 1) / r.perEpoch), Total: r.total,
		Extra: extra}
	rep.Epochs = int((r.total + r.perEpoch - 1) / r.perEpoch)
	if !start.IsZero() && r.step > timed {
		el := time.Since(start) - busy - r.evalTime
		rep.ImgPerSec = float64((r.step-timed)*int64(r.cfg.BatchSize)) / el.Seconds()
		rep.Elapsed = time.Since(start)
		perStep := el / time.Duration(r.step-timed)
		rep.Remains = perStep * time.Duration(r.total-r.step)
	}
	rec := MetricRecord{Step: r.step, Epoch: rep.Epoch, LossD: st.LossD, LossG: st.LossG,
		DX: st.DReal, DGZ1: st.DFake, DGZ2: st.DFakeG, ImgPerSec: rep.ImgPerSec,
		Time: time.Now().UTC(), Extra: extra}
	if err := r.metrics.Write(rec); err != nil {
		return err
	}
	r.history = append(r.history, rec)
	if r.opts.OnLog != nil {
		r.opts.OnLog(rep)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// nonFinite ends the run on a NaN/Inf without touching the last good checkpoint.
func (r *run) nonFinite(err error) error {
	ck := filepath.Join(r.opts.OutDir, CheckpointFile)
	if _, statErr := os.Stat(ck); statErr == nil {
		return fmt.Errorf("%w; the last good checkpoint is %s", err, ck)
	}
	return fmt.Errorf("%w; no checkpoint was written yet", err)
}

// interrupt saves the last finished step and reports the interruption.
func (r *run) interrupt() error {
	if err := r.saveCheckpoint(); err != nil {
		return fmt.Errorf("%w, and saving the checkpoint failed: %v", ErrInterrupted, err)
	}
	return fmt.Errorf("%w at step %d; resume from %s", ErrInterrupted, r.step,
		filepath.Join(r.opts.OutDir, CheckpointFile))
}

func (r *run) saveRealGrid(batch *tensor.Dense) error {
	path := filepath.Join(r.opts.OutDir, RealGridFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	return imageio.SaveGridU8(path, batch, 8, 2)
}

// saveSamples writes the fixed-noise grid of this step and refreshes the loss plot.
func (r *run) saveSamples() error {
	imgs, err := r.b.Generate(r.fixed)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("step_%07d.png", r.step)
	if err := imageio.SaveGrid(filepath.Join(r.opts.OutDir, SamplesDir, name), imgs, 8, 2); err != nil {
		return err
	}
	if err := imageio.SaveGrid(filepath.Join(r.opts.OutDir, "samples_latest.png"), imgs, 8, 2); err != nil {
		return err
	}
	return r.savePlot()
}

func (r *run) savePlot() error {
	if len(r.history) == 0 {
		return nil
	}
	err := imageio.SaveLossPlot(filepath.Join(r.opts.OutDir, LossPlotFile), LossSeries(r.history))
	if err != nil || r.opts.Plot == nil {
		return err
	}
	if panels := r.opts.Plot(r.history); panels != nil {
		return imageio.SaveLossPlot(filepath.Join(r.opts.OutDir, r.opts.PlotFile), panels)
	}
	return nil
}

// saveCheckpoint writes the full state and the PyTorch-loadable generator, each atomically.
func (r *run) saveCheckpoint() error {
	state, err := r.b.State()
	if err != nil {
		return err
	}
	ck := &Checkpoint{Config: r.cfg, State: state, Epoch: r.epoch, Pos: r.pos,
		Data: r.opts.DataName, DataKind: r.opts.DataKind, DataPath: r.opts.DataPath}
	if err := SaveCheckpoint(filepath.Join(r.opts.OutDir, CheckpointFile), ck); err != nil {
		return err
	}
	return SaveGenerator(filepath.Join(r.opts.OutDir, GeneratorFile), r.cfg, state)
}
