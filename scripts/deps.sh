#!/usr/bin/env bash
# Makes sure the CPU build's one system dependency, OpenBLAS, is installed. On Debian/Ubuntu
# as root (or with sudo) it installs libopenblas-dev; elsewhere it says what to install.
# Prints the Go build tags to use: empty with OpenBLAS, "noopenblas" (pure-Go gonum GEMM,
# about 10× slower) when it cannot be had.
set -euo pipefail

have_openblas() {
	ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so ' &&
		{ [ -f /usr/include/cblas.h ] || ls /usr/include/*/cblas.h >/dev/null 2>&1 ||
			ls /usr/include/*/openblas*/cblas.h >/dev/null 2>&1; }
}

if have_openblas; then
	exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
	echo "deps: installing libopenblas-dev" >&2
	if $sudo apt-get update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas-dev >&2; then
		have_openblas && exit 0
	fi
fi
echo "deps: OpenBLAS is missing and could not be installed; building with the pure-Go GEMM" \
	"(slower). Install libopenblas-dev (Debian/Ubuntu) or openblas for full speed." >&2
echo noopenblas
