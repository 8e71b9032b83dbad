//go:build !cuda

package main

import (
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan"
)

// openBackendWith returns the backend --device asks for. This binary was built without CUDA;
// the GPU switches have nothing to act on.
func openBackendWith(device string, cfg dcgan.Config, _ gpuFlags) (dcgan.Backend, error) {
	switch {
	case device == "cpu":
		return dcgan.NewCPU(cfg)
	case device == "cuda" || len(device) > 5 && device[:5] == "cuda:":
		return nil, &exitError{exitNoGPU, fmt.Errorf("--device %s: this binary was built "+
			"without CUDA; build it with `make build-cuda` or use the Docker image", device)}
	}
	return nil, usageError("--device %q: want cpu or cuda", device)
}

// gpuInfo describes the GPUs; a CPU-only build has none to show.
func gpuInfo() string {
	return "GPU      none: this binary was built without CUDA (make build-cuda)\n"
}
