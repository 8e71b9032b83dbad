#!/usr/bin/env bash
# device-check.sh: the GPU check. Built here, run on a machine with an NVIDIA GPU, its
# driver, CUDA 13 and cuDNN 9 as Python packages, and no Go.
#
#   make device-check                      here: builds everything into build/device-check/
#                                          (scripts/device-check.sh --prepare DIR), then
#                                          dry-runs it
#   scripts/device-check.sh [DIR]          there, from the repository root: runs the GPU test
#                                          binaries, a short MNIST training and the benchmark,
#                                          and writes DIR/report/device-check.md ($OUT/ if set)
#   scripts/device-check.sh --dry-run DIR  shows what would run and which libraries it finds,
#                                          starting nothing that needs a GPU
#
# It finds cuDNN (libcudnn*.so.9) and cuBLAS in the Python site-packages (nvidia/*/lib) and
# puts those folders on LD_LIBRARY_PATH; libcuda.so.1 comes from the installed driver. The
# link stub of scripts/cuda-sdk.sh is never copied here. The whole run stays under 5 minutes.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ ! -d $root/cuda ]]; then # running the copy inside DIR: the repository is two up
	root=$(cd "$(dirname "$0")/../.." && pwd)
fi
log() { printf 'device-check: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# portable BIN fails unless BIN needs only the C library and the driver, all the GPU machine
# promises: no OpenBLAS there (make device-check builds with the noopenblas tag).
portable() {
	local extra
	extra=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
		grep -Ev '^(libc|libm|libdl|libpthread|librt|libresolv)\.so\.[0-9]+$|^libcuda\.so\.1$')
	[[ -z $extra ]] || die "$1 needs $(paste -sd' ' <<<"$extra"), which the GPU machine may" \
		"lack: build it with the noopenblas tag (make device-check does)"
}

# prepare DIR gathers the GPU test binaries (those that link libcuda), the test names of
# their cuda-tagged files, the cuda CLI and this script into DIR. DCGAN_CHECK_TESTS and
# DCGAN_CHECK_CLI say where the binaries are (make device-check sets them).
prepare() {
	local dir=$1 tests=${DCGAN_CHECK_TESTS:-$root/build/cuda-tests}
	local cli=${DCGAN_CHECK_CLI:-$root/bin/cuda/dcgan-gpu}
	[[ -x $cli && -d $tests ]] || die "run make device-check ($cli, $tests)"
	portable "$cli"
	rm -rf "$dir"
	mkdir -p "$dir/tests" "$dir/bin"
	# gzip: the folder travels to the GPU machine, and Go binaries shrink about threefold.
	gzip -9 -c "$cli" >"$dir/bin/dcgan-gpu.gz"
	cp "$0" "$dir/device-check.sh"
	local manifest=$dir/tests/manifest.tsv
	: >"$manifest"
	# package name → folder, relative to the root
	local pkgs
	pkgs=$(cd "$root" && go list -tags cuda -f '{{.Name}} {{.Dir}}' ./... |
		awk '$1 == "main" {n = split($2, p, "/"); $1 = p[n]} {print}') || die "go list failed"
	for b in "$tests"/*.test; do
		readelf -d "$b" | grep -q 'NEEDED.*\[libcuda\.so\.1\]' || continue
		local name pkgdir rel names
		name=$(basename "$b" .test)
		pkgdir=$(awk -v n="$name" '$1 == n {print $2; exit}' <<<"$pkgs")
		[[ -n $pkgdir ]] || die "no package named $name"
		rel=${pkgdir#"$root"/}
		names=$(grep -l '^//go:build cuda' "$pkgdir"/*_test.go 2>/dev/null |
			xargs grep -ho '^func Test[A-Za-z0-9_]*(t ' | sed 's/^func //; s/(t $//' | sort -u |
			paste -sd'|')
		[[ -n $names ]] || continue
		portable "$b"
		gzip -9 -c "$b" >"$dir/tests/$name.test.gz"
		printf '%s\t%s\t^(%s)$\n' "$name.test" "$rel" "$names" >>"$manifest"
	done
	{
		echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $(go version | cut -d' ' -f3)"
		echo "nvcc: $("${NVCC:-nvcc}" --version 2>/dev/null | tail -n1)"
		echo "cuDNN headers: $(sed -n 's/^#define CUDNN_\(MAJOR\|MINOR\|PATCHLEVEL\) \([0-9]*\)/\2/p' \
			"${DCGAN_SDK:-$root/.sdk}/cudnn/include/cudnn_version.h" 2>/dev/null | paste -sd.)"
	} >"$dir/BUILD_INFO"
	log "prepared $dir: $(wc -l <"$manifest") GPU test binaries, the cuda CLI" \
		"($(du -sm "$dir" | cut -f1) MiB)"
}

# unpack DIR WORK unzips the binaries of DIR into WORK/tests and WORK/bin.
unpack() {
	local dir=$1 work=$2 f
	mkdir -p "$work/tests" "$work/bin"
	for f in "$dir"/tests/*.gz "$dir"/bin/*.gz; do
		local to=$work/${f#"$dir"/}
		gzip -dc "$f" >"${to%.gz}" && chmod +x "${to%.gz}"
	done
}

# nvidia_libs prints the nvidia/*/lib folders of the Python site-packages.
nvidia_libs() {
	local py
	for py in python3 python; do
		command -v "$py" >/dev/null || continue
		"$py" - <<'EOF' 2>/dev/null && return
import glob, os, site, sys
dirs = list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path
seen = []
for d in dirs:
    for lib in sorted(glob.glob(os.path.join(d, "nvidia", "*", "lib"))):
        lib = os.path.realpath(lib)
        if lib not in seen and glob.glob(os.path.join(lib, "*.so*")):
            seen.append(lib)
print("\n".join(seen))
EOF
	done
}

# setup_libs puts the Python packages' NVIDIA libraries on LD_LIBRARY_PATH and says what it
# found.
setup_libs() {
	local libs have
	libs=$(nvidia_libs)
	if [[ -n $libs ]]; then
		export LD_LIBRARY_PATH=$(paste -sd: <<<"$libs")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	fi
	for want in 'libcudnn.so.9' 'libcudnn_cnn.so.9' 'libcublasLt.so.*' 'libnvrtc.so.*'; do
		have=$(for d in $libs; do compgen -G "$d/$want"; done | head -n1)
		echo "| $want | ${have:-not found} |"
	done
	have=$(ldconfig -p 2>/dev/null | grep -m1 'libcuda\.so\.1 ' | sed 's/.*=> //')
	echo "| libcuda.so.1 (driver) | ${have:-not found} |"
}

# run_tests DIR WORK OUT runs each GPU test binary (unpacked in WORK) in its package folder
# and prints a table row per test.
run_tests() {
	local dir=$1 work=$2 out=$3 bin rel re
	while IFS=$'\t' read -r bin rel re; do
		local logf=$out/${bin%.test}.log
		(cd "$root/$rel" && timeout 150 "$work/tests/$bin" -test.v -test.timeout 140s \
			-test.run "$re") >"$logf" 2>&1
		local rc=$?
		grep -E '^\s*--- (PASS|FAIL|SKIP)' "$logf" |
			sed -E 's/^\s*--- (PASS|FAIL|SKIP): ([^ ]+) \(([^)]*)\).*/| '"${bin%.test}"' | \2 | \1 | \3 |/'
		if [[ $rc -ne 0 ]] && ! grep -q -- '--- FAIL' "$logf"; then
			echo "| ${bin%.test} | (binary) | FAIL | exit $rc: $(tail -n1 "$logf" | tr '|' '/') |"
		fi
	done <"$dir/tests/manifest.tsv"
}

# train OUT CLI WORK runs a short MNIST training on the GPU into WORK/train, its log in
# OUT/train.log, and prints its exit status.
train() {
	local out=$1 cli=$2 work=$3
	timeout 120 "$cli" train --device cuda --data mnist --steps 300 --log-every 50 \
		--sample-every 300 --checkpoint-every 300 --out "$work/train" >"$out/train.log" 2>&1
	echo $?
}

run() {
	local dir=$1
	local out=${OUT:-$dir/report}
	[[ -f $dir/tests/manifest.tsv ]] || die "$dir is not prepared (make device-check)"
	mkdir -p "$out"
	# The binaries, the training's output and the benchmark's stay out of OUT: the device tool
	# brings back at most 8 files of OUT (16 MiB each), which the report and logs should be.
	local work
	work=$(mktemp -d "${TMPDIR:-/tmp}/device-check.XXXXXX") || die "no temporary folder"
	unpack "$dir" "$work"
	local start=$SECONDS cli=$work/bin/dcgan-gpu report=$out/device-check.md
	{
		echo "# Device check, $(date -u +%Y-%m-%d' '%H:%M' UTC')"
		echo
		echo "Binaries: $(head -n1 "$dir/BUILD_INFO"); $(sed -n 2p "$dir/BUILD_INFO");" \
			"$(sed -n 3p "$dir/BUILD_INFO")."
		echo
		echo "## Device"
		echo
		echo '```'
		if command -v nvidia-smi >/dev/null; then
			nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1
		else
			echo "nvidia-smi not available"
		fi
		echo '```'
		echo
		echo "| library | found |"
		echo "| --- | --- |"
		setup_libs
		echo
		echo '```'
		timeout 30 "$cli" info 2>&1
		echo '```'
		echo
		echo "## GPU tests"
		echo
		echo "| package | test | result | time |"
		echo "| --- | --- | --- | --- |"
		run_tests "$dir" "$work" "$out"
		echo
		echo "## MNIST training, 300 steps"
		echo
		local rc
		rc=$(train "$out" "$cli" "$work")
		echo "exit status $rc; last lines of the log:"
		echo
		echo '```'
		tail -n 8 "$out/train.log"
		echo '```'
		local metrics
		metrics=$(find "$work/train" -name '*.jsonl' 2>/dev/null | head -n1)
		if [[ -n $metrics ]]; then
			echo
			echo "Last metrics record: \`$(tail -n1 "$metrics")\`"
		fi
		echo
		echo "## Benchmark"
		echo
		echo '```'
		if "$cli" bench --help >/dev/null 2>&1; then
			# Two shapes, two batches, beside the machine's PyTorch when it has one (rows say
			# skipped when not), no torch.compile (its compile alone takes a minute): 110 s.
			timeout 120 "$cli" bench --device cuda --sizes 32x32x1,64x64x3 --gpu-batches 64,256 \
				--python auto --compile-batch 0 --time-limit 100s --out "$work/bench" 2>&1 |
				tail -n 20
		else
			echo "this build has no bench subcommand: img/s above is the training's"
		fi
		echo '```'
		echo
		echo "Took $((SECONDS - start)) s."
	} >"$report"
	# Back to OUT, within the tool's 8 files: the report, 5 logs, the training's last sample
	# grid and the benchmark's results (results.md, .csv, .json, .png) as one archive.
	cp "$work/train/samples_latest.png" "$out/train-samples.png" 2>/dev/null
	[[ -d $work/bench ]] && tar -czf "$out/bench-results.tar.gz" -C "$work" bench
	rm -rf "$work"
	local fails
	fails=$(grep -c '| FAIL |' "$report")
	cat "$report"
	if [[ $fails -gt 0 || $rc -ne 0 ]]; then
		log "$fails failed tests, training exit $rc: see $report"
		return 1
	fi
	log "all GPU tests passed and the training ran: $report"
}

# dry_run DIR shows what run would do without starting anything that needs the GPU.
dry_run() {
	local dir=$1
	[[ -f $dir/tests/manifest.tsv ]] || die "$dir is not prepared"
	echo "device-check dry run of $dir (nothing that needs a GPU is started)"
	echo "libraries from the Python packages:"
	setup_libs
	local work
	work=$(mktemp -d)
	unpack "$dir" "$work"
	echo "would run, each in its package folder with a 150 s limit:"
	local bin rel re missing
	while IFS=$'\t' read -r bin rel re; do
		echo "  (cd $rel && $bin -test.v -test.run '$re')"
		missing=$(ldd "$work/tests/$bin" 2>/dev/null | awk '/not found/ {print $1}' |
			grep -v '^libcuda\.so\.1$' || true)
		[[ -z $missing ]] || echo "    unresolved here besides the driver: $missing"
	done <"$dir/tests/manifest.tsv"
	echo "  dcgan-gpu info"
	echo "  dcgan-gpu train --device cuda --data mnist --steps 300 ..."
	rm -rf "$work"
	if ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
		echo "no libcuda.so.1 (no NVIDIA driver) here: stopping before anything starts"
	fi
}

case ${1:-} in
--prepare)
	prepare "${2:?usage: $0 --prepare DIR}"
	dry_run "$2"
	;;
--dry-run) dry_run "${2:?usage: $0 --dry-run DIR}" ;;
*) run "${1:-$root/build/device-check}" ;;
esac
