package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// Flag names shared by several subcommands.
const (
	flagData      = "data"
	flagPath      = "path"
	flagImageSize = "image-size"
	flagChannels  = "channels"
	flagBatch     = "batch"
	flagEpochs    = "epochs"
	flagSteps     = "steps"
	flagLatent    = "nz"
	flagNGF       = "ngf"
	flagNDF       = "ndf"
	flagLR        = "lr"
	flagBeta1     = "beta1"
	flagSeed      = "seed"
	flagOut       = "out"
	flagDevice    = "device"
	flagWorkers   = "workers"
)

func env(name string) []string {
	return []string{"DCGAN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

// dataFlags choose the training images.
func dataFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagData, Value: "mnist", EnvVars: env(flagData),
			Usage: "data set: mnist (built in), idx, cifar10, folder, synthetic"},
		&cli.StringFlag{Name: flagPath, EnvVars: env(flagPath),
			Usage: "file or folder of the data set (idx, cifar10, folder)"},
		&cli.IntFlag{Name: flagWorkers, Value: 2, EnvVars: env(flagWorkers),
			Usage: "data loading goroutines"},
	}
}

// modelFlags fix the architecture. Image size and channels default by data set: 32×32×1 for
// MNIST-like IDX data, 64×64×3 otherwise (PyTorch's example).
func modelFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: flagImageSize, EnvVars: env(flagImageSize),
			Usage: "image side, a power of two from 16 to 256 (default 32 for mnist/idx, else 64)"},
		&cli.IntFlag{Name: flagChannels, EnvVars: env(flagChannels),
			Usage: "1 (grayscale) or 3 (RGB) (default 1 for mnist/idx, else 3)"},
		&cli.IntFlag{Name: flagLatent, Value: 100, EnvVars: env(flagLatent),
			Usage: "length of the noise vector"},
		&cli.IntFlag{Name: flagNGF, Value: 64, EnvVars: env(flagNGF),
			Usage: "generator features"},
		&cli.IntFlag{Name: flagNDF, Value: 64, EnvVars: env(flagNDF),
			Usage: "discriminator features"},
	}
}

// deviceFlags choose the backend and, on a GPU, how cuDNN picks its algorithms.
func deviceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagDevice, Value: "cpu", EnvVars: env(flagDevice),
			Usage: "cpu, or cuda (cuda:N for GPU N) in a CUDA build"},
		&cli.BoolFlag{Name: "deterministic", EnvVars: env("deterministic"),
			Usage: "GPU: only cuDNN algorithms that give the same bits on every run"},
		&cli.BoolFlag{Name: "tf32", EnvVars: env("tf32"),
			Usage: "GPU: allow TF32 tensor cores in convolutions (faster, ~1e-3 relative error)"},
		&cli.BoolFlag{Name: "cudnn-benchmark", EnvVars: env("cudnn-benchmark"),
			Usage: "GPU: time cuDNN's algorithms once per shape instead of its heuristic"},
	}
}

// gpuFlags are the GPU switches of deviceFlags.
type gpuFlags struct {
	deterministic, tf32, benchmark bool
}

func gpuFlagsOf(c *cli.Context) gpuFlags {
	return gpuFlags{c.Bool("deterministic"), c.Bool("tf32"), c.Bool("cudnn-benchmark")}
}

// isFlagError tells urfave/cli's flag parsing errors from the others.
func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined", "invalid value",
		"flag needs an argument", "Required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// onUsageError keeps urfave/cli from printing help on top of the one error line.
func onUsageError(_ *cli.Context, err error, _ bool) error {
	return &exitError{exitUsage, err}
}

// openBackend opens a backend with the GPU switches at their defaults (bench, generate).
func openBackend(device string, cfg dcgan.Config) (dcgan.Backend, error) {
	return openBackendWith(device, cfg, gpuFlags{})
}
