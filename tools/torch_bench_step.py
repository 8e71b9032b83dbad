#!/usr/bin/python3
"""Times PyTorch's DCGAN training step on the CPU, to compare with the Go benchmarks
BenchmarkStep_64x64x3_N64 and BenchmarkStep_32x32x1_N128 (dcgan/cpu_bench_test.go).

The step is the one of PyTorch's examples/dcgan main.py (see tools/torch_step.py, whose
model builders this script uses), with torch.set_num_threads(2) by default. One warm-up
step runs before timing. Run both on an otherwise idle machine, one after the other:

    /usr/bin/python3 tools/torch_bench_step.py [--steps 3] [--threads 2]
    go test -run '^$' -bench Step_ -benchtime 3x ./dcgan/
"""

import argparse
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_step import discriminator, generator  # noqa: E402

CONFIGS = [
    ("64x64x3_N64", dict(ImageSize=64, Channels=3, LatentDim=100, GenFeatures=64,
                         DiscFeatures=64, BatchSize=64)),
    ("32x32x1_N128", dict(ImageSize=32, Channels=1, LatentDim=100, GenFeatures=64,
                          DiscFeatures=64, BatchSize=128)),
]


def step(netG, netD, optG, optD, criterion, real, nz):
    """One training step of the example."""
    n = real.shape[0]
    netD.zero_grad()
    errD_real = criterion(netD(real).view(-1), torch.ones(n))
    errD_real.backward()
    fake = netG(torch.randn(n, nz, 1, 1))
    errD_fake = criterion(netD(fake.detach()).view(-1), torch.zeros(n))
    errD_fake.backward()
    optD.step()
    netG.zero_grad()
    errG = criterion(netD(fake).view(-1), torch.ones(n))
    errG.backward()
    optG.step()


def bench(name, c, steps):
    netG, netD = generator(c), discriminator(c)
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion = nn.BCEWithLogitsLoss()
    s = c["ImageSize"]
    real = torch.rand(c["BatchSize"], c["Channels"], s, s) * 2 - 1
    step(netG, netD, optG, optD, criterion, real, c["LatentDim"])  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step(netG, netD, optG, optD, criterion, real, c["LatentDim"])
    sec = (time.perf_counter() - t0) / steps
    print(f"torch {torch.__version__} step {name}: {sec:.3f} s/step, "
          f"{c['BatchSize'] / sec:.1f} img/s ({torch.get_num_threads()} threads)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name, c in CONFIGS:
        bench(name, c, args.steps)


if __name__ == "__main__":
    main()
