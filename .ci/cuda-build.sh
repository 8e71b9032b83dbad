#!/usr/bin/env bash
# cuda-build.sh: CI's check of the GPU build on a machine with no GPU. It installs what it
# needs (as root, from Debian's packages, only what is missing), then runs `make cuda-check`:
# the pinned SDK from PyPI wheels, the kernels with nvcc, go vet and go build with the cuda
# tag, the test binaries of every package, and the link checks. Nothing runs on a GPU: the
# binaries are linked against a stub driver library and are never started here.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v make >/dev/null || need+=(make)
command -v g++ >/dev/null || need+=(g++)
command -v nm >/dev/null && command -v readelf >/dev/null || need+=(binutils)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if ((${#need[@]})); then
	echo "cuda-build: installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

start=$SECONDS
make --no-print-directory cuda-check
echo "cuda-build: cuda build compiled and linked in $((SECONDS - start)) s (no GPU used)"
