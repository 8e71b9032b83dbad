#!/bin/sh
# Runs the benchmark suite: builds the CPU binary into bin/ (unless DCGAN_BIN names a binary,
# e.g. a CUDA build) and runs `dcgan-gpu bench`, which sweeps image sizes, batches and
# devices against PyTorch and writes bench/results/<date>_<machine>/ (results.md, .csv,
# .json, img_per_s.png). Arguments go to `dcgan-gpu bench`; see `dcgan-gpu bench --help`.
#
#   bench/run.sh                                  # the CPU sweep, about 6–9 minutes on 2 cores
#   DCGAN_BIN=./dcgan-gpu-cuda bench/run.sh --device cuda,cpu --cpu-batches 64
#
# The machine may be shared: the results record the load average at the start and the end;
# run again when it was high.
set -eu
cd "$(dirname "$0")/.."
bin=${DCGAN_BIN:-}
if [ -z "$bin" ]; then
	go build -o bin/dcgan-gpu ./cmd/dcgan-gpu
	bin=bin/dcgan-gpu
fi
exec "$bin" bench "$@"
