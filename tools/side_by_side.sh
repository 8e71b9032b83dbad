#!/usr/bin/env bash
# side_by_side.sh: the README's MNIST run against PyTorch's example, scored by the same
# classifier. For each seed it trains ours (the README's `make train` run, in legs resumed
# at each scoring point: resume is bit-identical to a straight run) and PyTorch's
# (tools/torch_train_mnist.py), keeps both generators at each point and scores every one
# with `dcgan-gpu eval --n N`. Prints one TSV row per trainer, seed and step, and keeps the
# runs under WORK.
#
#   tools/side_by_side.sh [--steps 300,600,937] [--seeds 1,2,3] [--n 10000] [--work DIR]
#
# Needs ./dcgan-gpu (make build) and a python3 with torch, numpy and PIL (/usr/bin/python3
# with Debian's python3-torch). About 13 minutes a seed on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

steps=300,600,937
seeds=1,2,3
n=10000
work=/tmp/side-by-side
python=${PYTHON:-/usr/bin/python3}
while (($#)); do
	case $1 in
	--steps) steps=$2 ;;
	--seeds) seeds=$2 ;;
	--n) n=$2 ;;
	--work) work=$2 ;;
	*)
		echo "side_by_side.sh: unknown argument $1" >&2
		exit 2
		;;
	esac
	shift 2
done
[[ -x ./dcgan-gpu ]] || {
	echo "side_by_side.sh: no ./dcgan-gpu; run make build first" >&2
	exit 2
}
IFS=, read -ra points <<<"$steps"
IFS=, read -ra seedlist <<<"$seeds"
last=${points[-1]}

# score FILE TRAINER SEED STEP prints the TSV row of one generator.
score() {
	./dcgan-gpu eval --checkpoint "$1" --n "$n" --no-reference --json |
		jq -r --arg t "$2" --arg s "$3" --arg p "$4" \
			'[$t, $s, $p, .generated.fd, .generated.score, .generated.classes,
			  .generated.kl_uniform] | @tsv'
}

printf 'trainer\tseed\tstep\tfd\tscore\tclasses\tkl\n'
for seed in "${seedlist[@]}"; do
	ours=$work/ours-$seed torch=$work/torch-$seed
	rm -rf "$ours" "$torch" && mkdir -p "$work"
	for p in "${points[@]}"; do
		resume=()
		[[ -f $ours/checkpoint.safetensors ]] && resume=(--resume "$ours")
		./dcgan-gpu train --steps "$p" --seed "$seed" --out "$ours" "${resume[@]}" \
			>"$ours.log" 2>&1
		cp "$ours/generator.safetensors" "$ours/generator_$p.safetensors"
	done
	"$python" tools/torch_train_mnist.py --steps "$last" --save-at "$steps" --seed "$seed" \
		--out "$torch" >"$torch.log" 2>&1
	for p in "${points[@]}"; do
		score "$ours/generator_$p.safetensors" ours "$seed" "$p"
		score "$torch/generator_$p.safetensors" pytorch "$seed" "$p"
	done
done
