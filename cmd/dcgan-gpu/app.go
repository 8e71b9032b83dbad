package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// Exit codes. Scripts can tell a bad flag from a failed run from a missing GPU.
const (
	exitOK          = 0
	exitFailed      = 1   // the run failed: data, checkpoint or I/O error, NaN loss
	exitUsage       = 2   // a flag or the configuration cannot work
	exitNoGPU       = 3   // --device cuda without a usable GPU or CUDA build
	exitInterrupted = 130 // SIGINT; a checkpoint was saved
)

// exitError carries the exit code chosen for an error up to run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "dcgan-gpu",
		Usage: "train DCGANs on NVIDIA GPUs or on the CPU",
		Description: "A DCGAN (Radford et al., 2015) as PyTorch's example builds it, trained on a GPU " +
			"through CUDA and cuDNN or on the CPU through OpenBLAS. With no flags, `train` " +
			"trains on the MNIST digits built into the binary.",
		Commands: []*cli.Command{
			trainCommand(),
			infoCommand(),
			generateCommand(),
			evalCommand(),
			classifierCommand(),
			benchCommand(),
		},
		HideHelpCommand: false,
		Writer:          stdout,
		ErrWriter:       stderr,
		ExitErrHandler:  func(*cli.Context, error) {}, // run decides the exit code
	}
}

// run executes the CLI and maps its error to an exit code and one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	err := newApp(stdout, stderr).Run(args)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "dcgan-gpu: %v\n", err)
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, dcgan.ErrInterrupted):
		return exitInterrupted
	case errors.Is(err, dcgan.ErrConfig):
		return exitUsage
	case isFlagError(err):
		return exitUsage
	}
	return exitFailed
}
