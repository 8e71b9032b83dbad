#!/usr/bin/python3
"""Writes dcgan/testdata/step.safetensors: two whole DCGAN training steps run by PyTorch.

For each small configuration below, this script builds the Generator and Discriminator of
PyTorch's examples/dcgan (main.py) for that image size, sets the initial weights that
dcgan.InitState draws (Philox4x32-10 normals, computed here with integer arithmetic, so the
fixture also checks ref.Normal and the init order), and runs two training steps of the
example with the noise the Go backend draws (dcgan.NoiseStream) on fixed uint8 batches.
The Go test dcgan/step_parity_test.go runs the same two steps and compares.

The example ends D with nn.Sigmoid and uses nn.BCELoss; here D gives logits and the loss is
nn.BCEWithLogitsLoss, the same function computed stably (which is what the Go code does).

Tensors written, for each case prefix P ("16x16x3", "32x32x1"):
  P.init.<name>    the initial state_dict of netG/netD ("netG.main.0.weight" …)
  P.noise.<s>      z of step s, [N, nz]
  P.batch.<s>      the uint8 real batch of step s, [N, C, H, W]
  P.stats          float64 [steps, 5]: errD, errG, D(x), D(G(z)) before and after D's update
  P.final.<name>   after the steps: state_dicts and Adam's moments, named as Backend.State
                   names them ("optD.m.main.0.weight" = exp_avg, "optD.v…" = exp_avg_sq)
The metadata holds each case's configuration as JSON under the case prefix.

Run: /usr/bin/python3 tools/torch_step.py [out path]   (Debian's python3-torch 1.13 works)
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402  (tools/st.py, the safetensors writer)

CASES = [
    dict(ImageSize=16, Channels=3, LatentDim=8, GenFeatures=4, DiscFeatures=4, BatchSize=4,
         LR=2e-4, Beta1=0.5, Beta2=0.999, Seed=5),
    dict(ImageSize=32, Channels=1, LatentDim=8, GenFeatures=4, DiscFeatures=4, BatchSize=4,
         LR=2e-4, Beta1=0.5, Beta2=0.999, Seed=11),
]
STEPS = 2
INIT_STREAM = 1 << 61  # dcgan's initStream (backend.go)
MASK32 = 0xFFFFFFFF


def philox4x32(ctr, key):
    """Philox4x32-10 on arrays: ctr is four uint64 arrays of 32-bit words, key two ints."""
    m0, m1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
    mask = np.uint64(MASK32)
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in ctr)
    k0, k1 = key
    for r in range(10):
        if r > 0:
            k0, k1 = (k0 + 0x9E3779B9) & MASK32, (k1 + 0xBB67AE85) & MASK32
        p0, p1 = m0 * c0, m1 * c2  # 32×32 bits: exact in uint64
        hi0, lo0 = p0 >> np.uint64(32), p0 & mask
        hi1, lo1 = p1 >> np.uint64(32), p1 & mask
        c0, c1, c2, c3 = hi1 ^ c1 ^ np.uint64(k0), lo1, hi0 ^ c3 ^ np.uint64(k1), lo0
    return c0, c1, c2, c3


def normals(seed, stream, count):
    """ref.Normal(seed, stream, i) for i < count, as float32 (see dcgan/ref/philox.go)."""
    blocks = np.arange((count + 3) // 4, dtype=np.uint64)
    ctr = (blocks & np.uint64(MASK32), blocks >> np.uint64(32),
           np.full_like(blocks, stream & MASK32), np.full_like(blocks, stream >> 32))
    r = philox4x32(ctr, (seed & MASK32, seed >> 32))
    u = [((w >> np.uint64(8)).astype(np.float64) + 0.5) * 2.0**-24 for w in r]
    out = np.empty((len(blocks), 4), dtype=np.float32)
    for j in (0, 2):
        rad = np.sqrt(-2 * np.log(u[j]))
        angle = 2 * math.pi * u[j + 1]
        out[:, j] = (rad * np.cos(angle)).astype(np.float32)
        out[:, j + 1] = (rad * np.sin(angle)).astype(np.float32)
    return out.reshape(-1)[:count]


def check_philox():
    """Random123's known answer for Philox4x32-10 with zero counter and key."""
    got = [int(w[0]) for w in philox4x32(([0], [0], [0], [0]), (0, 0))]
    want = [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert got == want, [hex(w) for w in got]


def generator(c):
    """netG of the example for c's image size (dcgan.Generator builds the same)."""
    ups = int(math.log2(c["ImageSize"])) - 2
    ch = c["GenFeatures"] << (ups - 1)
    layers = [nn.ConvTranspose2d(c["LatentDim"], ch, 4, 1, 0, bias=False),
              nn.BatchNorm2d(ch), nn.ReLU(True)]
    for i in range(ups):
        last = i == ups - 1
        out = c["Channels"] if last else ch // 2
        layers.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
        layers += [nn.Tanh()] if last else [nn.BatchNorm2d(out), nn.ReLU(True)]
        ch = out
    return Net(layers)


def discriminator(c):
    """netD of the example for c's image size, ending in a logit (no Sigmoid)."""
    downs = int(math.log2(c["ImageSize"])) - 2
    ch, layers = c["Channels"], []
    for i in range(downs):
        out = c["DiscFeatures"] << i
        layers.append(nn.Conv2d(ch, out, 4, 2, 1, bias=False))
        if i > 0:
            layers.append(nn.BatchNorm2d(out))
        layers.append(nn.LeakyReLU(0.2, inplace=True))
        ch = out
    layers.append(nn.Conv2d(ch, 1, 4, 1, 0, bias=False))
    return Net(layers)


class Net(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x)


def init_weights(nets, seed):
    """Sets the weights as NOTE [weight init streams] in dcgan/init.go says."""
    k = 0
    for net in nets:
        for name, t in net.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            n = normals(seed, INIT_STREAM + k, t.numel()).reshape(t.shape)
            std = np.float32(0.02)
            with torch.no_grad():
                if name.endswith("weight") and t.dim() == 4:
                    t.copy_(torch.from_numpy(std * n))
                elif name.endswith("weight"):
                    t.copy_(torch.from_numpy(np.float32(1) + std * n))
            k += 1


def state(prefix, nets, opts):
    """The Backend.State tensors of nets and their optimisers under prefix."""
    out = {}
    for tag, net, opt in zip("GD", nets, opts):
        for name, t in net.state_dict().items():
            if not name.endswith("num_batches_tracked"):
                out[f"{prefix}net{tag}.{name}"] = t.clone()
        if opt is None:
            continue
        for name, p in net.named_parameters():
            s = opt.state[p]
            out[f"{prefix}opt{tag}.m.{name}"] = s["exp_avg"].clone()
            out[f"{prefix}opt{tag}.v.{name}"] = s["exp_avg_sq"].clone()
    return out


def run_case(c):
    """Runs STEPS training steps of c and returns its tensors."""
    key = f'{c["ImageSize"]}x{c["ImageSize"]}x{c["Channels"]}'
    n, nz = c["BatchSize"], c["LatentDim"]
    netG, netD = generator(c), discriminator(c)
    init_weights([netG, netD], c["Seed"])
    out = state(f"{key}.init.", [netG, netD], [None, None])

    betas = (c["Beta1"], c["Beta2"])
    optD = torch.optim.Adam(netD.parameters(), lr=c["LR"], betas=betas)
    optG = torch.optim.Adam(netG.parameters(), lr=c["LR"], betas=betas)
    criterion = nn.BCEWithLogitsLoss()
    real_label, fake_label = 1.0, 0.0
    rng = np.random.RandomState(c["Seed"])
    side, stats = c["ImageSize"], []
    for s in range(STEPS):
        batch = rng.randint(0, 256, (n, c["Channels"], side, side)).astype(np.uint8)
        noise = normals(c["Seed"], s, n * nz).reshape(n, nz)
        out[f"{key}.batch.{s}"] = torch.from_numpy(batch)
        out[f"{key}.noise.{s}"] = torch.from_numpy(noise)
        real = torch.from_numpy(batch).float().div(255).sub(0.5).div(0.5)

        # The example's step, line by line.
        netD.zero_grad()
        label = torch.full((n,), real_label)
        output = netD(real).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.sigmoid().mean().item()
        fake = netG(torch.from_numpy(noise).view(n, nz, 1, 1))
        label.fill_(fake_label)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.sigmoid().mean().item()
        errD = errD_real + errD_fake
        optD.step()

        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.sigmoid().mean().item()
        optG.step()
        stats.append([errD.item(), errG.item(), D_x, D_G_z1, D_G_z2])
        print(f"{key} step {s}: loss_D {errD.item():.6f} loss_G {errG.item():.6f} "
              f"D(x) {D_x:.6f} D(G(z)) {D_G_z1:.6f} / {D_G_z2:.6f}")

    out[f"{key}.stats"] = torch.tensor(stats, dtype=torch.float64)
    out.update(state(f"{key}.final.", [netG, netD], [optG, optD]))
    return key, out


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    check_philox()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "dcgan", "testdata", "step.safetensors")
    tensors, meta = {}, {"steps": str(STEPS), "torch": torch.__version__}
    for c in CASES:
        key, t = run_case(c)
        tensors.update(t)
        meta[key] = json.dumps(c)
    st.save(path, tensors, meta)
    print(f"wrote {path}: {os.path.getsize(path)} bytes, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
