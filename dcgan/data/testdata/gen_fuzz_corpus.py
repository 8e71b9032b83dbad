#!/usr/bin/env python3
"""Writes the seed corpora of FuzzIDX and FuzzCIFAR (testdata/fuzz/…) in Go's
"go test fuzz v1" format: small valid files and typical broken ones. Run from this
directory: /usr/bin/python3 gen_fuzz_corpus.py
"""
import gzip
import os
import struct


def go_bytes(b):
    out = []
    for c in b:
        ch = chr(c)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= c < 0x7f:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return '[]byte("' + "".join(out) + '")'


def write(fuzzer, name, b):
    os.makedirs(os.path.join("fuzz", fuzzer), exist_ok=True)
    with open(os.path.join("fuzz", fuzzer, name), "w") as f:
        f.write("go test fuzz v1\n" + go_bytes(b) + "\n")


def idx(magic, dims, data):
    return struct.pack(">I", magic) + struct.pack(">%dI" % len(dims), *dims) + bytes(data)


def gz(b):
    return gzip.compress(b, mtime=0)


def main():
    imgs = idx(0x803, [2, 3, 2], range(12))
    labels = idx(0x801, [3], [5, 0, 4])
    wide = idx(0x803, [1, 1, 9], range(9))
    write("FuzzIDX", "valid_images", imgs)
    write("FuzzIDX", "valid_images_gz", gz(imgs))
    write("FuzzIDX", "valid_labels", labels)
    write("FuzzIDX", "valid_wide_image", wide)
    write("FuzzIDX", "wrong_magic", b"\x12\x34\x56\x78" + imgs[4:])
    write("FuzzIDX", "truncated_header", imgs[:9])
    write("FuzzIDX", "truncated_data", imgs[:-1])
    write("FuzzIDX", "trailing_data", imgs + b"\x00")
    write("FuzzIDX", "zero_dim", idx(0x803, [0, 28, 28], []))
    write("FuzzIDX", "huge_header", idx(0x803, [0xFFFFFFFF, 0xFFFFFFFF, 28], []))
    write("FuzzIDX", "lying_header_gz", gz(idx(0x803, [60000, 28, 28], range(50))))
    write("FuzzIDX", "gz_cut", gz(imgs)[:20])

    rec = bytes([3]) + bytes(i % 256 for i in range(3072))
    write("FuzzCIFAR", "one_record", rec)
    write("FuzzCIFAR", "two_records", rec + bytes([9]) + bytes(3072))
    write("FuzzCIFAR", "truncated", rec[:-1])
    write("FuzzCIFAR", "bad_label", bytes([10]) + rec[1:])
    write("FuzzCIFAR", "empty", b"")


if __name__ == "__main__":
    main()
