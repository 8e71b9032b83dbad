package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/data"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan/eval"
)

func trainCommand() *cli.Command {
	flags := append(dataFlags(), modelFlags()...)
	flags = append(flags,
		&cli.IntFlag{Name: flagBatch, Value: 64, EnvVars: env(flagBatch), Usage: "images per step"},
		&cli.IntFlag{Name: flagEpochs, Value: 5, EnvVars: env(flagEpochs),
			Usage: "passes over the data (ignored when --steps is set)"},
		&cli.Int64Flag{Name: flagSteps, EnvVars: env(flagSteps),
			Usage: "total steps to reach, instead of --epochs"},
		&cli.Float64Flag{Name: flagLR, Value: 2e-4, EnvVars: env(flagLR), Usage: "Adam learning rate"},
		&cli.Float64Flag{Name: flagBeta1, Value: 0.5, EnvVars: env(flagBeta1), Usage: "Adam β1"},
		&cli.Uint64Flag{Name: flagSeed, Value: 1, EnvVars: env(flagSeed),
			Usage: "seed of weights, noise and shuffling"},
		&cli.StringFlag{Name: flagOut, Value: "out", EnvVars: env(flagOut),
			Usage: "folder for checkpoints, samples, metrics and plots"},
		&cli.IntFlag{Name: "sample-every", Value: 100, EnvVars: env("sample-every"),
			Usage: "steps between fixed-noise sample grids"},
		&cli.IntFlag{Name: "checkpoint-every", Value: 500, EnvVars: env("checkpoint-every"),
			Usage: "steps between checkpoints"},
		&cli.IntFlag{Name: "log-every", Value: 1, EnvVars: env("log-every"),
			Usage: "steps between metrics records (a GPU run syncs at each)"},
		&cli.IntFlag{Name: "eval-every", EnvVars: env("eval-every"),
			Usage: "steps between quality numbers (FD, score, digits covered) in the metrics " +
				"log, plots and report; 0: off"},
		&cli.IntFlag{Name: "eval-n", Value: 2000, EnvVars: env("eval-n"),
			Usage: "images generated for each --eval-every evaluation"},
		&cli.StringFlag{Name: "resume", EnvVars: env("resume"),
			Usage: "continue from this checkpoint (or out dir holding " + dcgan.CheckpointFile + ")"},
	)
	flags = append(flags, deviceFlags()...)
	return &cli.Command{
		Name:         "train",
		Usage:        "train a DCGAN (default: the built-in MNIST digits on the CPU)",
		Flags:        flags,
		OnUsageError: onUsageError,
		Action:       trainAction,
	}
}

func trainAction(c *cli.Context) error {
	if c.Int(flagEpochs) <= 0 && c.Int64(flagSteps) <= 0 {
		return usageError("--epochs and --steps must be positive, got %d and %d",
			c.Int(flagEpochs), c.Int64(flagSteps))
	}
	if c.Int("log-every") <= 0 || c.Int("sample-every") < 0 || c.Int("checkpoint-every") < 0 ||
		c.Int("eval-every") < 0 {
		return usageError("--log-every must be positive and --sample-every, " +
			"--checkpoint-every, --eval-every non-negative")
	}
	if c.Int("eval-n") < 2 {
		return usageError("--eval-n must be 2 or more, got %d", c.Int("eval-n"))
	}
	if w := c.Int(flagWorkers); w < 0 || w > maxWorkers {
		return usageError("--%s %d: want 0 (one per core) to %d", flagWorkers, w, maxWorkers)
	}
	cfg, from, err := trainConfig(c)
	if err != nil {
		return err
	}
	if err := inheritRun(c, from); err != nil {
		return err
	}
	if err := checkOutDir(c.String(flagOut), from); err != nil {
		return err
	}
	src, err := openData(c, cfg)
	if err != nil {
		return err
	}
	if from != nil && from.Data != "" && from.Data != src.Name() {
		return usageError("checkpoint was trained on %s, not %s: pass the same --data/--path",
			from.Data, src.Name())
	}
	opts := dcgan.TrainOptions{
		Epochs:          c.Int(flagEpochs),
		Steps:           c.Int64(flagSteps),
		OutDir:          c.String(flagOut),
		LogEvery:        c.Int("log-every"),
		SampleEvery:     c.Int("sample-every"),
		CheckpointEvery: c.Int("checkpoint-every"),
		Workers:         c.Int(flagWorkers),
		DataName:        src.Name(),
		DataKind:        c.String(flagData),
		DataPath:        c.String(flagPath),
		WarmupSteps:     2,
	}
	if src.Len() < cfg.BatchSize {
		return usageError("batch size %d is larger than the data set %s",
			cfg.BatchSize, src.Name())
	}
	if err := setEval(c, cfg, &opts); err != nil {
		return err
	}
	b, err := openBackendWith(c.String(flagDevice), cfg, gpuFlagsOf(c))
	if err != nil {
		return err
	}
	defer b.Close()
	pr := newProgress(c.App.ErrWriter)
	opts.OnLog = pr.update
	printHeader(c.App.ErrWriter, cfg, b.Device(), src, opts)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = dcgan.Run(ctx, cfg, b, src, opts, from)
	pr.done()
	if err == nil || errors.Is(err, dcgan.ErrInterrupted) {
		if rerr := eval.WriteReport(opts.OutDir); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "done: samples in %s, checkpoint %s, report %s\n",
		filepath.Join(opts.OutDir, dcgan.SamplesDir), filepath.Join(opts.OutDir, dcgan.CheckpointFile),
		filepath.Join(opts.OutDir, eval.ReportFile))
	return nil
}

// setEval hooks the built-in digit classifier into the run when --eval-every asks for it.
func setEval(c *cli.Context, cfg dcgan.Config, opts *dcgan.TrainOptions) error {
	every := c.Int("eval-every")
	if every == 0 {
		return nil
	}
	ev, err := eval.NewEvaluator()
	if err != nil {
		return err
	}
	if c.String(flagData) != "mnist" {
		fmt.Fprintf(c.App.ErrWriter, "note: --eval-every scores with a digit classifier; on "+
			"%s its numbers only compare runs with each other\n", c.String(flagData))
	}
	opts.EvalEvery, opts.Eval = every, ev.TrainHook(cfg.LatentDim, c.Int("eval-n"))
	opts.Plot, opts.PlotFile = eval.Panels, eval.EvalPlotFile
	return nil
}

// inheritRun makes a resumed run continue the checkpoint's own: unless the flags say
// otherwise, it trains on the data the checkpoint was trained on and writes into the out dir
// that holds it.
func inheritRun(c *cli.Context, from *dcgan.Checkpoint) error {
	if from == nil {
		return nil
	}
	for _, f := range []struct{ flag, value string }{
		{flagData, from.DataKind},
		{flagPath, from.DataPath},
		{flagOut, filepath.Dir(from.Path)},
	} {
		if f.value == "" || c.IsSet(f.flag) {
			continue
		}
		if err := c.Set(f.flag, f.value); err != nil {
			return fmt.Errorf("dcgan-gpu: --%s from the checkpoint: %w", f.flag, err)
		}
	}
	return nil
}

// maxWorkers bounds --workers: more loading goroutines than this only cost memory.
const maxWorkers = 256

// checkOutDir refuses to start in an out dir that holds another run's checkpoint: the new
// run would overwrite it and mix its steps into that run's metrics log. Resuming the
// checkpoint that is there is the one way to train on in that dir.
func checkOutDir(out string, from *dcgan.Checkpoint) error {
	have, err := os.Stat(filepath.Join(out, dcgan.CheckpointFile))
	if err != nil {
		return nil // none there; the run reports an out dir that cannot be written
	}
	if from != nil {
		if st, err := os.Stat(from.Path); err == nil && os.SameFile(st, have) {
			return nil
		}
	}
	return usageError("out dir %s holds the checkpoint of an earlier run: continue it with "+
		"--resume %s, or choose another --out", out, out)
}

// trainConfig builds the config from the flags, or from the checkpoint when resuming; a
// flag set explicitly to another value than the checkpoint's is an error, not ignored.
func trainConfig(c *cli.Context) (dcgan.Config, *dcgan.Checkpoint, error) {
	cfg := configFromFlags(c)
	path := c.String("resume")
	if path == "" {
		return cfg, nil, cfg.Validate()
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, dcgan.CheckpointFile)
	}
	ck, err := dcgan.LoadCheckpoint(path)
	if err != nil {
		return cfg, nil, err
	}
	for _, f := range []struct {
		flag      string
		got, want any
	}{
		{flagImageSize, cfg.ImageSize, ck.Config.ImageSize},
		{flagChannels, cfg.Channels, ck.Config.Channels},
		{flagLatent, cfg.LatentDim, ck.Config.LatentDim},
		{flagNGF, cfg.GenFeatures, ck.Config.GenFeatures},
		{flagNDF, cfg.DiscFeatures, ck.Config.DiscFeatures},
		{flagBatch, cfg.BatchSize, ck.Config.BatchSize},
		{flagLR, cfg.LR, ck.Config.LR},
		{flagBeta1, cfg.Beta1, ck.Config.Beta1},
		{flagSeed, cfg.Seed, ck.Config.Seed},
	} {
		if c.IsSet(f.flag) && f.got != f.want {
			return cfg, nil, usageError("--%s %v differs from the checkpoint's %v (%s)",
				f.flag, f.got, f.want, path)
		}
	}
	return ck.Config, ck, nil
}

func configFromFlags(c *cli.Context) dcgan.Config {
	cfg := dcgan.DefaultConfig()
	if mnistLike(c.String(flagData)) {
		cfg.ImageSize, cfg.Channels = 32, 1
	}
	if c.IsSet(flagImageSize) {
		cfg.ImageSize = c.Int(flagImageSize)
	}
	if c.IsSet(flagChannels) {
		cfg.Channels = c.Int(flagChannels)
	}
	cfg.LatentDim = c.Int(flagLatent)
	cfg.GenFeatures = c.Int(flagNGF)
	cfg.DiscFeatures = c.Int(flagNDF)
	if c.Command.Names()[0] == "train" {
		cfg.BatchSize = c.Int(flagBatch)
		cfg.LR = c.Float64(flagLR)
		cfg.Beta1 = c.Float64(flagBeta1)
		cfg.Seed = c.Uint64(flagSeed)
	}
	return cfg
}

func mnistLike(kind string) bool { return kind == "mnist" || kind == "idx" }

// openData opens the data set named by the flags at the config's size and channels.
func openData(c *cli.Context, cfg dcgan.Config) (data.Source, error) {
	src, err := data.Open(data.Options{
		Kind:     c.String(flagData),
		Path:     c.String(flagPath),
		Size:     cfg.ImageSize,
		Channels: cfg.Channels,
		Seed:     cfg.Seed,
	})
	if errors.Is(err, data.ErrOptions) {
		return nil, &exitError{exitUsage, err}
	}
	return src, err
}
