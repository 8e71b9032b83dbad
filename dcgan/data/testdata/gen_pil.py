#!/usr/bin/env python3
"""Writes pil_resize.json: what Pillow does to small images under torchvision's
Resize(size) + CenterCrop(size), the reference for resize_test.go.

torchvision is not needed: tv_resize_crop below follows torchvision 0.14's functional
resize and center_crop for PIL images (shorter side to size, long side truncated,
bilinear; crop offsets rounded half to even). Run from this directory:
    /usr/bin/python3 gen_pil.py
"""
import base64
import gzip
import json
import random

import PIL
from PIL import Image


def tv_resize_crop(img, size):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short != size:
        new_long = int(size * long / short)
        ow, oh = (size, new_long) if w <= h else (new_long, size)
        img = img.resize((ow, oh), Image.BILINEAR)
    w, h = img.size
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def b64(b):
    return base64.b64encode(b).decode()


def main():
    rnd = random.Random(20240611)
    cases = []

    def add(name, mode, w, h, size, raw, out_mode=None):
        img = Image.frombytes(mode, (w, h), raw)
        if out_mode:
            img = img.convert(out_mode)
        out = tv_resize_crop(img, size)
        cases.append({"name": name, "mode": mode, "convert": out_mode or "", "w": w, "h": h,
                      "size": size, "input": b64(raw), "output": b64(out.tobytes())})

    gray = [(7, 5, 4), (5, 9, 4), (9, 6, 4), (3, 5, 8), (5, 4, 4), (4, 7, 4), (4, 5, 4),
            (33, 20, 8), (64, 48, 16), (100, 37, 16), (6, 6, 16), (12, 12, 5), (17, 40, 6)]
    for w, h, s in gray:
        raw = bytes(rnd.choice([0, 255, rnd.randrange(256)]) for _ in range(w * h))
        add(f"L {w}x{h} to {s}", "L", w, h, s, raw)
    for w, h, s in [(10, 7, 4), (6, 11, 8), (8, 8, 8), (40, 30, 16)]:
        raw = bytes(rnd.randrange(256) for _ in range(3 * w * h))
        add(f"RGB {w}x{h} to {s}", "RGB", w, h, s, raw)
    for w, h, s in [(9, 7, 4), (16, 16, 16)]:
        raw = bytes(rnd.randrange(256) for _ in range(3 * w * h))
        add(f"RGB->L {w}x{h} to {s}", "RGB", w, h, s, raw, "L")

    with gzip.open("../mnist/train-images-idx3-ubyte.gz") as f:
        mnist = f.read()
    for i in (0, 1, 2):
        raw = mnist[16 + 784 * i: 16 + 784 * (i + 1)]
        for s in (32, 16, 64):
            add(f"MNIST train {i} to {s}", "L", 28, 28, s, raw)

    with open("pil_resize.json", "w") as f:
        json.dump({"pillow": PIL.__version__, "cases": cases}, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
