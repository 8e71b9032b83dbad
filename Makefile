# dcgan-gpu build targets. `make help` lists them.
#
# CPU:   make build (./dcgan-gpu), make test, make train (MNIST on the CPU)
# GPU:   make build-cuda (bin/cuda/dcgan-gpu), with a CUDA 12 toolkit and cuDNN 9 headers:
#        make build-cuda CUDA_HOME=/usr/local/cuda (as the Dockerfile does), or, with no
#        toolkit, the pinned SDK from PyPI wheels: make sdk && make build-cuda (CUDA_HOME
#        unset: .sdk/ is used when it exists, else cuda/cgoflags.go's /usr/local/cuda).
# CI:    make cuda-check: SDK, kernels, vet, build and test binaries of the cuda build, linked
#        against a stub driver library; nothing runs on a GPU.
# GPU machine: make device-check builds build/device-check/ here; run
#        scripts/device-check.sh there.

SHELL := /bin/bash
GO ?= go
GOFLAGS ?= -buildvcs=false
export GOFLAGS

CUDA_BIN := bin/cuda/dcgan-gpu
CUDA_TESTS := build/cuda-tests
DEVICE_CHECK := build/device-check
DEVICE_BINS := build/device-bins

# How the cuda build finds CUDA: an explicit toolkit (CUDA_HOME), else the SDK from
# scripts/cuda-sdk.sh, else cuda/cgoflags.go's defaults (/usr/local/cuda). The toolkit's
# lib64/stubs holds its link-only libcuda.so; binaries load the driver's at run time.
ifdef CUDA_HOME
cuda_env = export NVCC=$(CUDA_HOME)/bin/nvcc \
	CGO_CFLAGS="-O2 -g -I$(CUDA_HOME)/include" \
	CGO_LDFLAGS="-O2 -g -L$(CUDA_HOME)/lib64 -L$(CUDA_HOME)/lib64/stubs";
else
cuda_env = if [[ -f .sdk/env.sh ]]; then . ./.sdk/env.sh; fi;
endif
sdk_env = . ./.sdk/env.sh;

.PHONY: help build test train kernels sdk build-cuda cuda-check cuda-test-bins device-check clean

help:
	@sed -n '1,12s/^# \{0,1\}//p' Makefile
	@echo
	@echo 'targets: build test train kernels sdk build-cuda cuda-check device-check clean'

## CPU ------------------------------------------------------------------------------------

# scripts/deps.sh installs OpenBLAS when it can and otherwise prints the `noopenblas` tag (the
# pure-Go GEMM), so both targets work on a fresh machine.
build:
	tags=$$(scripts/deps.sh) && $(GO) build -tags "$$tags" -o dcgan-gpu ./cmd/dcgan-gpu

test:
	tags=$$(scripts/deps.sh) && $(GO) vet -tags "$$tags" ./... && $(GO) test -tags "$$tags" ./...

# The README's first command: one epoch of the built-in MNIST digits on the CPU (937 steps),
# about 5 minutes on 2 idle cores.
TRAIN_ARGS ?= --epochs 1 --out out
train: build
	./dcgan-gpu train $(TRAIN_ARGS)

## GPU build ------------------------------------------------------------------------------

sdk:
	scripts/cuda-sdk.sh >/dev/null

kernels:
	@$(cuda_env) kernels/build.sh

build-cuda: kernels
	@$(cuda_env) set -x; $(GO) build -tags cuda -o $(CUDA_BIN) ./cmd/dcgan-gpu

# What CI runs on a machine with no GPU: everything of the cuda build that can be checked
# without running it.
cuda-check: sdk
	@$(sdk_env) set -x; kernels/build.sh
	@$(sdk_env) set -x; $(GO) vet -tags cuda ./...
	@$(sdk_env) set -x; $(GO) build -tags cuda ./...
	@$(sdk_env) set -x; $(GO) build -tags cuda -o $(CUDA_BIN) ./cmd/dcgan-gpu
	@$(sdk_env) $(MAKE) --no-print-directory cuda-test-bins
	@$(sdk_env) scripts/cuda-link-check.sh $(CUDA_BIN) $(CUDA_TESTS)/*.test

# Test binaries of every package, built with the cuda tag. Those that link libcuda are the
# GPU tests (they cannot start without a driver); the device check runs them.
cuda-test-bins:
	rm -rf $(CUDA_TESTS) && mkdir -p $(CUDA_TESTS)
	$(GO) test -tags cuda -c -o $(CUDA_TESTS)/ ./...
	@ls $(CUDA_TESTS)

# Everything the GPU machine needs, which has a driver, CUDA 13 and cuDNN 9 from Python
# packages and no Go: the GPU test binaries, the cuda CLI, the runner and its data. That
# machine need not have OpenBLAS (PyTorch does not use it), so they are built once more with
# the noopenblas tag (gonum's pure-Go GEMM for the CPU side) and need only libc and libcuda.
device-check: cuda-check
	rm -rf $(DEVICE_BINS) && mkdir -p $(DEVICE_BINS)/tests
	@$(sdk_env) set -x; $(GO) build -tags "cuda noopenblas" -o $(DEVICE_BINS)/dcgan-gpu \
		./cmd/dcgan-gpu
	@$(sdk_env) set -x; $(GO) test -tags "cuda noopenblas" -c -o $(DEVICE_BINS)/tests/ ./...
	@$(sdk_env) DCGAN_CHECK_CLI=$(DEVICE_BINS)/dcgan-gpu DCGAN_CHECK_TESTS=$(DEVICE_BINS)/tests \
		scripts/device-check.sh --prepare $(DEVICE_CHECK)

clean:
	rm -rf dcgan-gpu bin build
