package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/bench"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// Flags of the bench command.
const (
	flagSizes        = "sizes"
	flagCPUBatches   = "cpu-batches"
	flagGPUBatches   = "gpu-batches"
	flagSkip         = "skip"
	flagWarmup       = "warmup"
	flagReps         = "reps"
	flagPython       = "python"
	flagThreads      = "threads"
	flagTF32         = "tf32"
	flagCompileBatch = "compile-batch"
	flagMachine      = "machine"
	flagTimeLimit    = "time-limit"
	flagInProcess    = "in-process"
	flagChild        = "child"
	flagSgemmSize    = "sgemm-size"
)

// defaultSkip leaves out the one CPU row that alone would take minutes (about 20 s a
// step for each side on 2 cores), keeping the whole CPU sweep under 10 minutes.
const defaultSkip = "128x128x3:cpu:128"

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "time the training step against PyTorch over image sizes, batches and devices",
		Description: "Runs each configuration on our backend (in a child process, for its own " +
			"peak memory) and in PyTorch (bench/torch_bench.py, embedded), then writes " +
			"results.md, results.csv, results.json and img_per_s.png into " +
			"<out>/<date>_<machine>/ and prints the table.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: flagDevice, Value: "cpu,cuda",
				Usage: "devices to sweep; cuda rows of a CPU-only build say so"},
			&cli.StringFlag{Name: flagSizes, Value: "32x32x1,64x64x3,128x128x3",
				Usage: "image shapes SIZExSIZExCHANNELS"},
			&cli.StringFlag{Name: flagCPUBatches, Value: "16,32,64,128", Usage: "CPU batches"},
			&cli.StringFlag{Name: flagGPUBatches, Value: "32,64,128,256,512,1024",
				Usage: "GPU batches"},
			&cli.StringFlag{Name: flagSkip, Value: defaultSkip,
				Usage: "rows to leave out, SHAPE:DEVICE:BATCH,… (\"\" for none)"},
			&cli.IntFlag{Name: flagLatent, Value: 100, Usage: "length of the noise vector"},
			&cli.IntFlag{Name: flagNGF, Value: 64, Usage: "generator features"},
			&cli.IntFlag{Name: flagNDF, Value: 64, Usage: "discriminator features"},
			&cli.Uint64Flag{Name: flagSeed, Value: 1, Usage: "seed of weights and noise"},
			&cli.IntFlag{Name: flagWarmup, Value: -1,
				Usage: "untimed steps per run (-1: 1 on cpu, 3 on cuda)"},
			&cli.IntFlag{Name: flagReps, Usage: "timed steps per run (0: 3–10 on cpu " +
				"filling 3 s, 10–100 on cuda filling 1 s)"},
			&cli.StringFlag{Name: flagPython, Value: "auto",
				Usage: "python with torch: auto (/usr/bin/python3, then python3), a path, or off"},
			&cli.IntFlag{Name: flagThreads, Usage: "PyTorch CPU threads (0: all cores)"},
			&cli.BoolFlag{Name: flagTF32, Usage: "let PyTorch use TF32 on the GPU"},
			&cli.IntFlag{Name: flagCompileBatch, Value: 64,
				Usage: "batch of the torch.compile rows (0: none)"},
			&cli.StringFlag{Name: flagOut, Value: filepath.Join("bench", "results"),
				Usage: "folder that receives <date>_<machine>/"},
			&cli.StringFlag{Name: flagMachine,
				Usage: "machine part of the folder name (default: from the CPU and GPU)"},
			&cli.DurationFlag{Name: flagTimeLimit, Value: 570 * time.Second,
				Usage: "start no row after this long; later rows say so (0: no limit)"},
			&cli.BoolFlag{Name: flagInProcess,
				Usage: "run our side in this process (peak RSS is then cumulative)"},
			&cli.IntFlag{Name: flagSgemmSize, Value: 2048,
				Usage: "side of the square sgemm that measures the CPU's practical peak"},
			&cli.StringFlag{Name: flagChild, Hidden: true,
				Usage: "internal: run one job given as JSON and print its measurement"},
		},
		OnUsageError: onUsageError,
		Action:       benchAction,
	}
}

func benchAction(c *cli.Context) error {
	if spec := c.String(flagChild); spec != "" {
		return benchChild(c.App.Writer, spec)
	}
	plan, err := benchPlan(c)
	if err != nil {
		return err
	}
	if c.Int(flagSgemmSize) <= 0 {
		return usageError("--%s must be positive, got %d", flagSgemmSize, c.Int(flagSgemmSize))
	}
	rows, err := plan.Rows()
	if err != nil {
		return &exitError{exitUsage, err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := c.App.Writer
	start := time.Now()

	res := &bench.Results{Machine: bench.Describe(start)}
	m := &res.Machine
	m.Command = commandLine(c)
	m.GPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(gpuInfo()), "GPU"))
	m.TheoryGFLOPS, m.TheoryNote = bench.TheoreticalPeak(m.CPU)
	fmt.Fprintf(w, "bench: %s, %d logical CPUs, %s; load %s\n", m.CPU.Model, m.CPU.Threads,
		m.BLAS, m.LoadStart)
	m.SgemmSize = c.Int(flagSgemmSize)
	m.SgemmStart = bench.MeasureSgemm(m.SgemmSize, 5)
	fmt.Fprintf(w, "bench: sgemm %d³ %.0f GFLOP/s (practical CPU peak)\n", m.SgemmSize,
		m.SgemmStart)

	suite, probe := benchSuite(ctx, c, rows, m)
	suite.Progress = func(r bench.Row) { fmt.Fprintln(w, "bench: "+bench.Line(r)) }
	if lim := c.Duration(flagTimeLimit); lim > 0 {
		suite.Deadline = start.Add(lim)
		suite.LimitNote = fmt.Sprintf("not run: --time-limit %s reached", lim)
	}
	runErr := suite.Run(ctx, rows)

	res.Rows = rows
	res.Method = bench.Method(plan, torchThreads(c), c.Bool(flagInProcess))
	res.Seconds = time.Since(start).Seconds()
	m.SgemmEnd = bench.MeasureSgemm(m.SgemmSize, 5)
	m.SgemmGFLOPS = max(m.SgemmStart, m.SgemmEnd)
	m.LoadEnd = bench.LoadAverage()
	m.GPUName = gpuName(rows, probe)
	m.Label = c.String(flagMachine)
	dir := filepath.Join(c.String(flagOut), m.Date+"_"+m.ID())
	paths, err := res.WriteDir(dir)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := res.WriteMarkdown(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nwrote %s\n", strings.Join(paths, ", "))
	if runErr != nil {
		return &exitError{exitInterrupted, fmt.Errorf("bench interrupted: %w", runErr)}
	}
	return nil
}

// benchChild runs one job in this process and prints its measurement as JSON.
func benchChild(w io.Writer, spec string) error {
	var j bench.Job
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		return usageError("--child: bad job %q: %v", spec, err)
	}
	m, runErr := bench.RunJob(j, openBackend)
	out, err := bench.WriteChildResult(m)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	return runErr
}

// benchPlan reads the sweep from the flags.
func benchPlan(c *cli.Context) (bench.Plan, error) {
	bad := func(err error) (bench.Plan, error) { return bench.Plan{}, &exitError{exitUsage, err} }
	shapes, err := bench.ParseShapes(c.String(flagSizes))
	if err != nil {
		return bad(err)
	}
	cpuB, err := bench.ParseBatches(c.String(flagCPUBatches))
	if err != nil {
		return bad(err)
	}
	gpuB, err := bench.ParseBatches(c.String(flagGPUBatches))
	if err != nil {
		return bad(err)
	}
	var devices []string
	for _, d := range strings.Split(c.String(flagDevice), ",") {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(devices, d) {
			devices = append(devices, d)
		}
	}
	p := bench.Plan{
		Shapes: shapes, Devices: devices,
		Batches:   map[string][]int{bench.CPU: cpuB, bench.CUDA: gpuB},
		Steps:     map[string]bench.Steps{},
		LatentDim: c.Int(flagLatent), GenFeatures: c.Int(flagNGF), DiscFeatures: c.Int(flagNDF),
		Seed:   c.Uint64(flagSeed),
		NotRun: map[string]string{},
		Skip:   strings.FieldsFunc(c.String(flagSkip), func(r rune) bool { return r == ',' }),
		SkipReason: "skipped: over the 10-minute budget of the 2-core CPU sweep " +
			"(--skip " + c.String(flagSkip) + ")",
		CompileBatch: c.Int(flagCompileBatch),
	}
	if !cudaBuild() {
		p.NotRun[bench.CUDA] = "not run: CPU-only build"
	}
	for _, d := range []string{bench.CPU, bench.CUDA} {
		st := bench.DefaultSteps(d)
		if n := c.Int(flagWarmup); n >= 0 {
			st.Warmup = n
		}
		if n := c.Int(flagReps); n > 0 {
			st.MinReps, st.MaxReps = n, n
		}
		p.Steps[d] = st
	}
	cfg := dcgan.DefaultConfig()
	cfg.LatentDim, cfg.GenFeatures, cfg.DiscFeatures = p.LatentDim, p.GenFeatures, p.DiscFeatures
	if err := cfg.Validate(); err != nil {
		return bad(err)
	}
	return p, nil
}

// benchSuite wires our side (a child per row, or this process) and PyTorch's.
func benchSuite(ctx context.Context, c *cli.Context, rows []bench.Row,
	m *bench.Machine) (*bench.Suite, *bench.TorchProbe) {
	s := &bench.Suite{Ours: bench.InProcess(openBackend)}
	if !c.Bool(flagInProcess) {
		exe, err := os.Executable()
		if err == nil {
			s.Ours = bench.Subprocess(exe, "bench", "--"+flagChild)
		} else {
			fmt.Fprintf(c.App.Writer, "bench: %v: running in this process\n", err)
		}
	}
	py := c.String(flagPython)
	if py == "off" || py == "none" || py == "" {
		s.TorchNote = "not run: --python off"
		m.Torch = s.TorchNote
		return s, nil
	}
	candidates := []string{py}
	if py == "auto" {
		candidates = []string{"/usr/bin/python3", "python3"}
	}
	device := bench.CPU
	for _, r := range rows {
		if r.Device == bench.CUDA && r.Note == "" {
			device = bench.CUDA
		}
	}
	t, probe, err := bench.FindPython(ctx, candidates, device, torchThreads(c), c.Bool(flagTF32))
	if err != nil {
		s.TorchNote = "not run: no python with torch"
		m.Torch = s.TorchNote + " (" + err.Error() + ")"
		return s, nil
	}
	s.Torch = t
	if probe.DeviceError != "" {
		s.TorchSkip = map[string]string{bench.CUDA: "not run: " + probe.DeviceError}
	}
	m.Torch = fmt.Sprintf("%s (%s); CUDA %s, cuDNN %s; CPU threads %d; TF32 on GPU %v; "+
		"torch.compile %v", probe.Version, t.Python, orDash(probe.CUDA), orDash(probe.CuDNN),
		torchThreads(c), c.Bool(flagTF32), probe.Compile)
	m.TorchThreads = torchThreads(c)
	if probe.PeakGFLOPS > 0 {
		m.GPUPeak = probe.PeakGFLOPS
		m.GPUPeakNote = fmt.Sprintf("best FP32 torch.mm %d³ on %s, TF32 off (the %% peak of "+
			"GPU rows)", probe.PeakMMSize, probe.GPU)
	}
	return s, probe
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func torchThreads(c *cli.Context) int {
	if n := c.Int(flagThreads); n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// gpuName is the GPU the cuda rows ran on, "" when none ran.
func gpuName(rows []bench.Row, probe *bench.TorchProbe) string {
	for _, r := range rows {
		if r.Device != bench.CUDA || !r.Ours.OK() {
			continue
		}
		if probe != nil && probe.GPU != "" {
			return probe.GPU
		}
		return r.Ours.Device
	}
	return ""
}

// cudaBuild reports whether this binary was built with the cuda tag.
func cudaBuild() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-tags" && slices.Contains(strings.Split(s.Value, ","), "cuda") {
			return true
		}
	}
	return false
}

// commandLine rebuilds the command from the flags set, for the results' header.
func commandLine(c *cli.Context) string {
	parts := []string{"dcgan-gpu", "bench"}
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if !c.IsSet(name) {
			continue
		}
		if _, ok := f.(*cli.BoolFlag); ok {
			parts = append(parts, "--"+name)
			continue
		}
		v := fmt.Sprint(c.Value(name))
		if v == "" || strings.ContainsAny(v, " ,") {
			v = "'" + v + "'"
		}
		parts = append(parts, "--"+name, v)
	}
	return strings.Join(parts, " ")
}
