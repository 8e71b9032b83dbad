#!/usr/bin/python3
"""Trains PyTorch's examples/dcgan on MNIST, for a side-by-side with dcgan-gpu's numbers.

The run is the example's main.py with its MNIST settings, written out here so that it needs
neither torchvision nor a download:

  - data: the MNIST training set built into dcgan-gpu (dcgan/data/mnist/*.gz), resized
    to the image size with PIL's bilinear filter as transforms.Resize does, then
    ToTensor and Normalize((0.5,), (0.5,)); a new random order each epoch (randperm, as a
    shuffling DataLoader draws it);
  - model: the example's Generator and Discriminator (D ends in Sigmoid, the loss is
    BCELoss), weights_init as in the example, Adam(lr, betas=(beta1, 0.999)) for both;
  - step: D on real, D on fake.detach(), D step, G through D with real labels, G step.

At each --save-every steps (or at each step of --save-at) it writes the generator's
state_dict as OUT/generator_<step>.safetensors, with the keys dcgan-gpu uses
("main.0.weight" …) and its config in the metadata, so `dcgan-gpu eval --checkpoint` and
`generate` read it.
Timing (img/s) goes to stdout.

Run: /usr/bin/python3 tools/torch_train_mnist.py --steps 600 --out /tmp/eval-torch
(Debian's python3-torch 1.13 works; it uses 2 threads unless --threads says otherwise.)
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402  (tools/st.py, the safetensors writer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "dcgan", "data", "mnist", "train-images-idx3-ubyte.gz")


def load_mnist(size):
    """The MNIST training images resized to size×size, uint8 [N, size, size]."""
    with gzip.open(MNIST, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    assert magic == 0x803, hex(magic)
    imgs = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows, cols)
    if size == rows == cols:
        return imgs.copy()
    out = np.empty((n, size, size), dtype=np.uint8)
    for i in range(n):
        out[i] = np.asarray(Image.fromarray(imgs[i]).resize((size, size), Image.BILINEAR))
    return out


class Generator(nn.Module):
    """The example's netG, with layers added or removed for image sizes other than 64."""

    def __init__(self, size, nc, nz, ngf):
        super().__init__()
        ups = int(math.log2(size)) - 2
        ch = ngf << (ups - 1)
        layers = [nn.ConvTranspose2d(nz, ch, 4, 1, 0, bias=False), nn.BatchNorm2d(ch),
                  nn.ReLU(True)]
        for i in range(ups):
            last = i == ups - 1
            out = nc if last else ch // 2
            layers.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
            layers += [nn.Tanh()] if last else [nn.BatchNorm2d(out), nn.ReLU(True)]
            ch = out
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x)


class Discriminator(nn.Module):
    """The example's netD, ending in Sigmoid, for any image size."""

    def __init__(self, size, nc, ndf):
        super().__init__()
        downs = int(math.log2(size)) - 2
        ch, layers = nc, []
        for i in range(downs):
            out = ndf << i
            layers.append(nn.Conv2d(ch, out, 4, 2, 1, bias=False))
            if i > 0:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            ch = out
        layers += [nn.Conv2d(ch, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x).view(-1, 1).squeeze(1)


def weights_init(m):
    """The example's custom init."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


def save_generator(path, net, cfg):
    """Writes netG's state_dict with dcgan-gpu's generator metadata."""
    meta = {"format": "pt", "dcgan_config": json.dumps(cfg), "made_by": "torch_train_mnist.py"}
    st.save(path, dict(net.state_dict()), meta)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--save-every", type=int, default=200)
    p.add_argument("--save-at", default="",
                   help="comma-separated steps to save at, instead of --save-every")
    p.add_argument("--out", required=True)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--nz", type=int, default=100)
    p.add_argument("--ngf", type=int, default=64)
    p.add_argument("--ndf", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--beta1", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    save_at = {int(s) for s in a.save_at.split(",") if s}

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    cfg = {"image_size": a.image_size, "channels": 1, "nz": a.nz, "ngf": a.ngf,
           "ndf": a.ndf, "batch_size": a.batch, "lr": a.lr, "beta1": a.beta1,
           "beta2": 0.999, "seed": a.seed}

    t0 = time.time()
    data = torch.from_numpy(load_mnist(a.image_size)).unsqueeze(1)  # uint8 [N, 1, S, S]
    print(f"data: {len(data)} images at {a.image_size}x{a.image_size} "
          f"({time.time() - t0:.1f} s)", flush=True)

    netG = Generator(a.image_size, 1, a.nz, a.ngf)
    netG.apply(weights_init)
    netD = Discriminator(a.image_size, 1, a.ndf)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    optD = torch.optim.Adam(netD.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=a.lr, betas=(a.beta1, 0.999))
    real_label, fake_label = 1.0, 0.0

    step, order, pos = 0, None, 0
    start, timed_from = None, 2  # the first two steps are warm-up, left out of img/s
    while step < a.steps:
        if order is None or pos + a.batch > len(order):
            order, pos = torch.randperm(len(data)), 0
        idx = order[pos:pos + a.batch]
        pos += a.batch
        real = data[idx].float().div(255).sub(0.5).div(0.5)
        n = real.size(0)

        # D on real, D on fake, D step (the example's lines).
        netD.zero_grad()
        label = torch.full((n,), real_label)
        output = netD(real)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()
        noise = torch.randn(n, a.nz, 1, 1)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optD.step()

        # G through D, G step.
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optG.step()
        step += 1

        if step == timed_from:
            start = time.time()
        if step % 50 == 0 or step == a.steps:
            rate = ""
            if start is not None and step > timed_from:
                rate = f" | {(step - timed_from) * a.batch / (time.time() - start):.0f} img/s"
            print(f"step {step}/{a.steps} | D {errD.item():.3f} | G {errG.item():.3f} | "
                  f"D(x) {D_x:.3f} | D(G(z)) {D_G_z1:.3f}/{D_G_z2:.3f}{rate}", flush=True)
        due = step in save_at if save_at else step % a.save_every == 0
        if due or step == a.steps:
            path = os.path.join(a.out, f"generator_{step}.safetensors")
            save_generator(path, netG, cfg)
            print(f"saved {path}", flush=True)


if __name__ == "__main__":
    main()
