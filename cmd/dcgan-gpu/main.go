// Command dcgan-gpu trains DCGANs on NVIDIA GPUs or on the CPU, and generates, evaluates and
// benchmarks them. Run `dcgan-gpu help` for the subcommands.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
