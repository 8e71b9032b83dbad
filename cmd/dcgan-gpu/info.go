package main

import (
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:         "info",
		Usage:        "show the CPU, BLAS and GPUs this binary can use",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "CPU      %s/%s, %d cores, %s\n", runtime.GOOS, runtime.GOARCH,
				runtime.NumCPU(), ref.BLASName())
			fmt.Fprint(c.App.Writer, gpuInfo())
			return nil
		},
	}
}
