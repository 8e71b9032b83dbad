#!/usr/bin/env python3
"""Load a generator.safetensors written by dcgan-gpu into PyTorch's DCGAN Generator.

Usage: /usr/bin/python3 tools/load_generator.py OUT/generator.safetensors

Builds the Generator of PyTorch's examples/dcgan (generalised to the image size in the file's
metadata the way dcgan-gpu's model.go does it; at 64x64 it is the example's net), loads the
file with load_state_dict(strict=True), runs it in eval mode on a batch of noise and checks
the output. The safetensors file is parsed by hand, so the `safetensors` package is not
needed; it is used as a cross-check when installed. Exits non-zero on any mismatch.
"""
import json
import math
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "U8": torch.uint8}


def read_safetensors(path):
    """Returns (tensors, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        dtype = DTYPES[e["dtype"]]
        if b > a:
            t = torch.frombuffer(bytearray(data[a:b]), dtype=dtype)
        else:
            t = torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(e["shape"])
    return tensors, meta


class Generator(nn.Module):
    """The example's Generator: ConvT to 4x4, then stride-2 ConvT halving channels."""

    def __init__(self, image_size, nc, nz, ngf):
        super().__init__()
        ups = int(math.log2(image_size)) - 2
        ch = ngf << (ups - 1)
        layers = [nn.ConvTranspose2d(nz, ch, 4, 1, 0, bias=False), nn.BatchNorm2d(ch),
                  nn.ReLU(True)]
        for i in range(ups):
            out = nc if i == ups - 1 else ch // 2
            layers.append(nn.ConvTranspose2d(ch, out, 4, 2, 1, bias=False))
            if i == ups - 1:
                layers.append(nn.Tanh())
            else:
                layers += [nn.BatchNorm2d(out), nn.ReLU(True)]
            ch = out
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        return self.main(x)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    tensors, meta = read_safetensors(path)
    cfg = json.loads(meta["dcgan_config"])
    net = Generator(cfg["image_size"], cfg["channels"], cfg["nz"], cfg["ngf"])
    net.load_state_dict(tensors, strict=True)  # raises on a missing, extra or misshapen key
    print(f"{path}: loaded {len(tensors)} tensors with strict=True into {cfg}")

    for name, t in net.state_dict().items():
        if not torch.equal(t, tensors[name]):
            sys.exit(f"{name} differs after loading")
        if name.endswith("num_batches_tracked") and t.dtype != torch.int64:
            sys.exit(f"{name} is {t.dtype}, want int64")

    try:
        from safetensors.torch import load_file
    except ImportError:
        print("safetensors package not installed; skipped the cross-check with load_file")
    else:
        ref = load_file(path)
        if set(ref) != set(tensors) or any(not torch.equal(ref[k], tensors[k]) for k in ref):
            sys.exit("safetensors.torch.load_file reads the file differently")
        print("safetensors.torch.load_file agrees")

    net.eval()
    with torch.no_grad():
        z = torch.randn(16, cfg["nz"], 1, 1, generator=torch.Generator().manual_seed(0))
        x = net(z)
    want = (16, cfg["channels"], cfg["image_size"], cfg["image_size"])
    if tuple(x.shape) != want or not torch.isfinite(x).all() or x.abs().max() > 1:
        sys.exit(f"output {tuple(x.shape)} range [{x.min()}, {x.max()}]: want {want} in [-1, 1]")
    print(f"eval forward: {tuple(x.shape)}, values in [{x.min():.3f}, {x.max():.3f}]")


if __name__ == "__main__":
    main()
