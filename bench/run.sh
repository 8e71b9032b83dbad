#!/bin/sh
# Runs the benchmark suite: builds the CPU binary into bin/ (unless DCGAN_BIN names a binary,
# e.g. a CUDA build) and runs `dcgan-gpu bench`, which sweeps image sizes, batches and
# devices against PyTorch and writes bench/results/<date>_<machine>/ (results.md, .csv,
# .json, img_per_s.png). Arguments go to `dcgan-gpu bench`; see `dcgan-gpu bench --help`.
#
#   bench/run.sh                                  # the CPU sweep, about 6–9 minutes on 2 cores
#   DCGAN_BIN=./dcgan-gpu-cuda bench/run.sh --device cuda,cpu --cpu-batches 64
#
# The machine may be shared: the results record the load average at the start, after each
# row and at the end; run again when it was high. WAIT_LOAD=1.0 waits (up to 20 minutes)
# for the 1-minute load average to fall below 1.0 before starting.
set -eu
cd "$(dirname "$0")/.."
if [ -n "${WAIT_LOAD:-}" ] && [ -r /proc/loadavg ]; then
	for _ in $(seq 1 120); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		awk -v l="$load" -v w="$WAIT_LOAD" 'BEGIN { exit !(l < w) }' && break
		echo "bench/run.sh: load $load, waiting for it to fall below $WAIT_LOAD" >&2
		sleep 10
	done
fi
bin=${DCGAN_BIN:-}
if [ -z "$bin" ]; then
	go build -o bin/dcgan-gpu ./cmd/dcgan-gpu
	bin=bin/dcgan-gpu
fi
exec "$bin" bench "$@"
