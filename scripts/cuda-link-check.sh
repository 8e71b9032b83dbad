#!/usr/bin/env bash
# cuda-link-check.sh checks what linking against the SDK's stub cannot show by itself:
#
#   scripts/cuda-link-check.sh CLI [TESTBIN...]     (after . .sdk/env.sh; make cuda-check)
#
#  - every binary that needs the driver records libcuda.so.1 and no rpath or runpath, so it
#    loads the real driver library at run time and never the stub (NOTE [libcuda stub] in
#    scripts/cuda-sdk.sh); the CLI must be one of them;
#  - every driver function a binary references is one the CUDA 12 cuda.h declares (the stub
#    defines exactly those), and no binary links libcudnn: cuDNN is opened at run time;
#  - every cuDNN function cuda/cudnn_dl.c resolves with dlsym exists in the pinned
#    libcudnn.so.9, so a misspelt name fails here and not on a GPU machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sdk=${DCGAN_SDK:-$root/.sdk}
fail() {
	echo "cuda-link-check: $*" >&2
	exit 1
}
[[ $# -ge 1 ]] || fail "usage: $0 CLI [TESTBIN...]"

stub_syms=$(nm -D --defined-only "$sdk/stub/libcuda.so.1" | awk '{print $3}' | sort -u)
gpu=()
for b in "$@"; do
	dyn=$(readelf -d "$b")
	if ! grep -q 'NEEDED.*\[libcuda\.so\.1\]' <<<"$dyn"; then
		[[ $b == "$1" ]] && fail "$b does not link libcuda.so.1"
		continue
	fi
	gpu+=("$(basename "$b")")
	if grep -Eq 'RPATH|RUNPATH' <<<"$dyn"; then
		fail "$b has an rpath: $(grep -E 'RPATH|RUNPATH' <<<"$dyn")"
	fi
	if grep -q 'NEEDED.*libcudnn' <<<"$dyn"; then
		fail "$b links cuDNN; it must dlopen it (cuda/cudnn_dl.c)"
	fi
	missing=$(comm -23 <(nm -D --undefined-only "$b" | awk '$2 ~ /^cu[A-Z]/ {print $2}' | sort -u) \
		<(echo "$stub_syms"))
	[[ -z $missing ]] || fail "$b references driver functions cuda.h lacks: $missing"
done

want=$(sed -n 's/^ *X(\(cudnn[A-Za-z0-9_]*\)).*/\1/p' "$root/cuda/cudnn_dl.c" | sort -u)
[[ -n $want ]] || fail "no X(cudnn…) entries found in cuda/cudnn_dl.c"
have=$(nm -D --defined-only "$sdk/cudnn/lib/libcudnn.so.9" |
	awk '{sub(/@.*/, "", $3); print $3}' | sort -u)
missing=$(comm -23 <(echo "$want") <(echo "$have"))
[[ -z $missing ]] || fail "libcudnn.so.9 lacks: $missing"

echo "cuda-link-check: ${#gpu[@]} binaries load the real libcuda.so.1 at run time" \
	"(${gpu[*]}); $(wc -l <<<"$want") cuDNN functions present in" \
	"libcudnn $(sed -n 's/^#define CUDNN_\(MAJOR\|MINOR\|PATCHLEVEL\) \([0-9]*\)/\2/p' \
		"$sdk/cudnn/include/cudnn_version.h" | paste -sd.)"
