#!/usr/bin/python3
"""Times the DCGAN training step in PyTorch, for `dcgan-gpu bench` to compare with its own.

The architecture and the step are those of dcgan/model.go and dcgan.CPU.Step, which follow
PyTorch's examples/dcgan main.py: G = ConvT(nz -> ngf*2^(L-1), 4, 1, 0) + BN + ReLU, then
ConvT(4, 2, 1) halving the channels with BN + ReLU, the last to nc with Tanh; D = Conv(4, 2,
1) + LeakyReLU(0.2), with BN from the second layer on, then Conv(-> 1, 4, 1, 0) giving a
logit; no biases. One step: D on real, D on fake (detached), D update, G through D, G
update, with BCEWithLogitsLoss and Adam(lr 2e-4, betas 0.5/0.999) for both nets. As in the
Go backend, the step takes a uint8 batch from the host, normalises it to [-1, 1] on the
device and draws its own noise there.

Method (the same as the Go side, see package bench): --warmup untimed steps, then
reps = clamp(ceil(target / last warm-up step), min-reps, max-reps) timed steps, each timed
on its own (CUDA events on a GPU, perf_counter on the CPU). The result is one JSON line on
stdout: step_ms, warmup_ms, timer, peak_rss_bytes, device_mem_bytes, version, or skipped /
error instead of the numbers.

    python3 bench/torch_bench.py --device cpu --size 64 --channels 3 --batch 64
    python3 bench/torch_bench.py --probe --device cuda     # versions and FP32 mm GFLOP/s

`dcgan-gpu bench` embeds this file and feeds it to `python3 -` on stdin.
"""

import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn


def generator(size, channels, nz, ngf):
    ups = int(math.log2(size)) - 2
    ch = ngf << (ups - 1)
    layers = [nn.ConvTranspose2d(nz, ch, 4, 1, 0, bias=False), nn.BatchNorm2d(ch),
              nn.ReLU(True)]
    for i in range(ups):
        out = channels if i == ups - 1 else ch // 2
        layers.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
        if i == ups - 1:
            layers.append(nn.Tanh())
        else:
            layers += [nn.BatchNorm2d(out), nn.ReLU(True)]
        ch = out
    return nn.Sequential(*layers)


def discriminator(size, channels, ndf):
    downs = int(math.log2(size)) - 2
    layers, ch = [], channels
    for i in range(downs):
        out = ndf << i
        layers.append(nn.Conv2d(ch, out, 4, 2, 1, bias=False))
        if i > 0:
            layers.append(nn.BatchNorm2d(out))
        layers.append(nn.LeakyReLU(0.2, inplace=True))
        ch = out
    layers.append(nn.Conv2d(ch, 1, 4, 1, 0, bias=False))
    return nn.Sequential(*layers)


def init_weights(m):
    """The example's weights_init: conv N(0, 0.02), batch-norm gamma N(1, 0.02), beta 0."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def make_step(a, device):
    torch.manual_seed(a.seed)
    net_g = generator(a.size, a.channels, a.nz, a.ngf).to(device)
    net_d = discriminator(a.size, a.channels, a.ndf).to(device)
    net_g.apply(init_weights)
    net_d.apply(init_weights)
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    if a.compile:
        net_g, net_d = torch.compile(net_g), torch.compile(net_d)
    criterion = nn.BCEWithLogitsLoss()
    n = a.batch
    batch = torch.randint(0, 256, (n, a.channels, a.size, a.size), dtype=torch.uint8)
    if device.type == "cuda":
        batch = batch.pin_memory()
    ones = torch.ones(n, device=device)
    zeros = torch.zeros(n, device=device)

    def step():
        real = batch.to(device, non_blocking=True).float().div_(127.5).sub_(1.0)
        # D on real.
        net_d.zero_grad()
        err_d_real = criterion(net_d(real).view(-1), ones)
        err_d_real.backward()
        # D on fake.
        fake = net_g(torch.randn(n, a.nz, 1, 1, device=device))
        err_d_fake = criterion(net_d(fake.detach()).view(-1), zeros)
        err_d_fake.backward()
        # D update.
        opt_d.step()
        # G through D.
        net_g.zero_grad()
        err_g = criterion(net_d(fake).view(-1), ones)
        err_g.backward()
        # G update.
        opt_g.step()

    return step


def timed(step, device):
    """Runs one step and returns its time in milliseconds."""
    if device.type == "cuda":
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        step()
        stop.record()
        stop.synchronize()
        return start.elapsed_time(stop)
    t0 = time.perf_counter()
    step()
    return (time.perf_counter() - t0) * 1e3


def configure(a):
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.backends.cudnn.benchmark = True  # as the example sets it
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    return torch.device("cuda" if a.device == "cuda" else "cpu")


def bench(a):
    device = configure(a)
    out = {"version": torch.__version__, "rss_scope": "process"}
    if a.compile and not hasattr(torch, "compile"):
        version = ".".join(torch.__version__.split(".")[:2])
        out["skipped"] = "torch %s has no torch.compile" % version
        return out
    if device.type == "cuda":
        if not torch.cuda.is_available():
            out["error"] = "torch.cuda.is_available() is False"
            return out
        out["device_name"] = "%s (torch %s, cuDNN %s, TF32 %s)" % (
            torch.cuda.get_device_name(0), torch.__version__, torch.backends.cudnn.version(),
            "on" if a.tf32 else "off")
        out["timer"] = "cuda events"
    else:
        out["device_name"] = "cpu (torch %s, %d threads)" % (
            torch.__version__, torch.get_num_threads())
        out["timer"] = "wall clock"
    try:
        step = make_step(a, device)
        warm = [timed(step, device) for _ in range(max(a.warmup, 2 if a.compile else 0))]
    except Exception as e:  # torch.compile needs a compiler toolchain; say what failed
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if a.compile:
            out["skipped"] = "torch.compile failed: " + msg[:200]
        else:
            out["error"] = msg[:300]
        return out
    reps = a.min_reps
    if warm and a.target > 0:
        reps = max(min(math.ceil(a.target / (warm[-1] / 1e3)), a.max_reps), a.min_reps)
    out["warmup_ms"] = warm
    out["step_ms"] = [timed(step, device) for _ in range(max(reps, 1))]
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if device.type == "cuda":
        out["device_mem_bytes"] = torch.cuda.max_memory_allocated()
        out["device_mem_def"] = "torch.cuda.max_memory_allocated"
    return out


def probe(a):
    device = configure(a)
    out = {"torch": torch.__version__, "cuda": torch.version.cuda or "",
           "cudnn": str(torch.backends.cudnn.version() or ""),
           "compile": hasattr(torch, "compile"), "threads": torch.get_num_threads(),
           "gpu": "", "mm_gflops": 0, "mm_size": 0}
    if device.type != "cuda":
        return out
    if not torch.cuda.is_available():
        out["device_error"] = "torch.cuda.is_available() is False"
        return out
    out["gpu"] = torch.cuda.get_device_name(0)
    # The practical FP32 peak: the best of ten 8192-cubed matrix products, TF32 off.
    torch.backends.cuda.matmul.allow_tf32 = False
    n = 8192
    x = torch.randn(n, n, device=device)
    y = torch.randn(n, n, device=device)
    for _ in range(3):
        torch.mm(x, y)
    best = min(timed(lambda: torch.mm(x, y), device) for _ in range(10))
    out["mm_gflops"] = 2 * n ** 3 / (best / 1e3) / 1e9
    out["mm_size"] = n
    return out


def main():
    p = argparse.ArgumentParser(description="Time the DCGAN training step in PyTorch.")
    p.add_argument("--probe", action="store_true", help="print versions (and GPU mm rate)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--nz", type=int, default=100)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--ndf", type=int, default=64)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--min-reps", type=int, default=3)
    p.add_argument("--max-reps", type=int, default=10)
    p.add_argument("--target", type=float, default=3.0, help="timed seconds wanted")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    p.add_argument("--compile", action="store_true", help="torch.compile both nets")
    p.add_argument("--tf32", action="store_true", help="allow TF32 on CUDA")
    a = p.parse_args()
    out = probe(a) if a.probe else bench(a)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
