//go:build cuda

package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
	"github.com/dcgan-gpu/dcgan-gpu/gpu"
)

// openBackendWith returns the backend --device asks for: cpu, cuda or cuda:N.
func openBackendWith(device string, cfg dcgan.Config, g gpuFlags) (dcgan.Backend, error) {
	switch {
	case device == "cpu":
		return dcgan.NewCPU(cfg)
	case device == "cuda" || strings.HasPrefix(device, "cuda:"):
		ord := 0
		if rest, ok := strings.CutPrefix(device, "cuda:"); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return nil, usageError("--device %q: want cuda:N with N a GPU number", device)
			}
			ord = n
		}
		b, err := dcgan.NewCUDA(cfg, dcgan.CUDAOptions{Device: ord,
			Deterministic: g.deterministic, TF32: g.tf32, Benchmark: g.benchmark})
		if err != nil {
			return nil, &exitError{exitNoGPU, err}
		}
		return b, nil
	}
	return nil, usageError("--device %q: want cpu or cuda", device)
}

// gpuInfo describes the GPUs, the driver and cuDNN.
func gpuInfo() string {
	s, err := gpu.SystemInfo()
	if err != nil {
		return fmt.Sprintf("GPU      none usable: %v\n", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Driver   CUDA %s (built with cuda.h %s)\n", cuda.CUDAVersionString(s.Driver),
		cuda.CUDAVersionString(s.CUDAHeaders))
	if s.CUDNNError != nil {
		fmt.Fprintf(&b, "cuDNN    none: %v\n", s.CUDNNError)
	} else {
		fmt.Fprintf(&b, "cuDNN    %s (headers %s)\n", cuda.CUDNNVersionString(s.CUDNN),
			cuda.CUDNNVersionString(s.CUDNNHeaders))
	}
	for _, d := range s.Devices {
		fmt.Fprintf(&b, "GPU %d    %s, sm_%d%d, %d SMs, %d MiB\n", d.Ordinal, d.Name, d.Major,
			d.Minor, d.Multiprocessors, d.TotalMem>>20)
	}
	return b.String()
}
