#!/usr/bin/env bash
# build.sh: compiles the CUDA kernels into one fatbin, kernels/dcgan.fatbin, which the cuda
# build embeds (kernels/fatbin.go) and loads with the driver API.
#
#   kernels/build.sh [OUTPUT]        default OUTPUT: kernels/dcgan.fatbin
#
# nvcc is taken from $NVCC, else from the project's SDK folder (.sdk/, scripts/cuda-sdk.sh),
# else from PATH, else /usr/local/cuda/bin/nvcc. It needs CUDA 12.8 or newer (sm_90 native
# code and CUDA 13's architecture list) and a host C++ compiler.
#
# The image holds native code (SASS) for sm_75 (Turing), sm_80 (A100), sm_86 (Ampere
# consumer), sm_89 (Ada) and sm_90 (Hopper), and PTX for compute_90, which the driver compiles
# for newer GPUs (Blackwell) at load time. NOTE [floating-point contraction] in hd.h: no
# --use_fast_math, and --fmad=false, so the kernels round as the host C the tests check does.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out=${1:-$here/dcgan.fatbin}

find_nvcc() {
	if [[ -n ${NVCC:-} ]]; then
		echo "$NVCC"
		return
	fi
	local c
	for c in "$root"/.sdk/bin/nvcc "$root"/.sdk/*/bin/nvcc "$root"/.sdk/*/*/bin/nvcc \
		"$root"/.sdk/*/*/*/bin/nvcc; do
		if [[ -x $c ]]; then
			echo "$c"
			return
		fi
	done
	if command -v nvcc >/dev/null; then
		command -v nvcc
		return
	fi
	echo /usr/local/cuda/bin/nvcc
}

nvcc=$(find_nvcc)
if [[ ! -x $nvcc ]]; then
	echo "kernels/build.sh: no nvcc at $nvcc: set NVCC, install a CUDA toolkit," \
		"or run scripts/cuda-sdk.sh" >&2
	exit 1
fi

# Every op-family file must be part of the one translation unit.
for f in "$here"/*.cu; do
	name=$(basename "$f")
	[[ $name == dcgan.cu ]] && continue
	if ! grep -q "^#include \"$name\"" "$here/dcgan.cu"; then
		echo "kernels/build.sh: $name is not included by kernels/dcgan.cu" >&2
		exit 1
	fi
done

arch=(
	-gencode arch=compute_75,code=sm_75
	-gencode arch=compute_80,code=sm_80
	-gencode arch=compute_86,code=sm_86
	-gencode arch=compute_89,code=sm_89
	-gencode arch=compute_90,code='[sm_90,compute_90]'
)

tmp=$(mktemp "$(dirname "$out")/.dcgan.fatbin.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"$nvcc" --fatbin -O3 --fmad=false -std=c++17 --Werror all-warnings \
	"${arch[@]}" -I "$here" -o "$tmp" "$here/dcgan.cu"
mv "$tmp" "$out"
trap - EXIT
echo "kernels/build.sh: wrote $out ($(wc -c <"$out") bytes) with $("$nvcc" --version | tail -1)"

# With cuobjdump at hand ($CUOBJDUMP, beside nvcc, or on PATH), prove the image holds every
# architecture it should.
cuobjdump=${CUOBJDUMP:-$(dirname "$nvcc")/cuobjdump}
if [[ ! -x $cuobjdump ]]; then
	cuobjdump=$(command -v cuobjdump || true)
fi
if [[ -z $cuobjdump ]]; then
	echo "kernels/build.sh: no cuobjdump: architectures not checked"
	exit 0
fi
elf=$("$cuobjdump" --list-elf "$out")
ptx=$("$cuobjdump" --list-ptx "$out")
for sm in 75 80 86 89 90; do
	grep -q "sm_$sm\.cubin" <<<"$elf" || {
		echo "kernels/build.sh: $out has no sm_$sm code" >&2
		exit 1
	}
done
grep -q 'sm_90\.ptx' <<<"$ptx" || {
	echo "kernels/build.sh: $out has no compute_90 PTX" >&2
	exit 1
}
echo "kernels/build.sh: SASS sm_75 sm_80 sm_86 sm_89 sm_90, PTX compute_90 (checked with cuobjdump)"
