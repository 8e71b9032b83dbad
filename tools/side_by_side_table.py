#!/usr/bin/env python3
"""Turns tools/side_by_side.sh's TSV into the Markdown tables of bench/results/eval-mnist.md.

    tools/side_by_side_table.py < side_by_side.tsv

Prints the mean ± standard deviation over seeds at each step, then the per-seed rows.
Needs only the standard library.
"""

import csv
import statistics
import sys

METRICS = [("fd", "FD ↓", "{:.1f}"), ("score", "score ↑", "{:.2f}"),
           ("classes", "classes ↑", "{:.1f}"), ("kl", "KL ↓", "{:.3f}")]
TRAINERS = [("ours", "ours"), ("pytorch", "PyTorch")]


def header(first):
    cols = list(first)
    for _, name, _ in METRICS:
        for _, who in TRAINERS:
            cols.append(f"{name} {who}")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---:|" * len(cols))


def mean_sd(values, fmt):
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.mean(values))} ± {fmt.format(statistics.stdev(values))}"


def main():
    rows = list(csv.DictReader(sys.stdin, delimiter="\t"))
    if not rows:
        sys.exit("side_by_side_table.py: no rows on stdin")
    steps = sorted({int(r["step"]) for r in rows})
    seeds = sorted({int(r["seed"]) for r in rows})

    def values(trainer, step, metric, seed=None):
        return [float(r[metric]) for r in rows if r["trainer"] == trainer and
                int(r["step"]) == step and (seed is None or int(r["seed"]) == seed)]

    print(f"Mean ± standard deviation over seeds {', '.join(map(str, seeds))}:\n")
    header(["step"])
    for step in steps:
        cells = [str(step)]
        for metric, _, fmt in METRICS:
            for trainer, _ in TRAINERS:
                cells.append(mean_sd(values(trainer, step, metric), fmt))
        print("| " + " | ".join(cells) + " |")

    print("\nPer seed:\n")
    header(["step", "seed"])
    for step in steps:
        for seed in seeds:
            cells = [str(step), str(seed)]
            for metric, _, fmt in METRICS:
                for trainer, _ in TRAINERS:
                    v = values(trainer, step, metric, seed)
                    one = "{:.0f}" if metric == "classes" else fmt
                    cells.append(one.format(v[0]) if v else "—")
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
