"""A small safetensors writer and reader using only Python's standard library.

The format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
length, a JSON header mapping each tensor name to {"dtype", "shape", "data_offsets"} plus an
optional "__metadata__" of strings, then the tensors' raw little-endian bytes, back to back.
Tensors are written in sorted name order, so equal inputs give equal files. The Go reader
is dcgan/safetensors.

    import st
    st.save("out.safetensors", {"x": torch.ones(2, 3)}, {"made_by": "me"})
    tensors, metadata = st.load("out.safetensors")   # torch tensors again

save takes torch tensors (anything with .dtype, .shape and .tolist() works); load imports
torch only to build its results.
"""

import array
import json
import struct
import sys

# safetensors dtype -> (torch dtype name, array typecode). The Go side reads F32, F64, I64
# and U8.
_DTYPES = {
    "F32": ("float32", "f"),
    "F64": ("float64", "d"),
    "I64": ("int64", "q"),
    "I32": ("int32", "i"),
    "U8": ("uint8", "B"),
}
_BY_TORCH = {name: st for st, (name, _) in _DTYPES.items()}


def _encode(t):
    """Returns (safetensors dtype, shape, little-endian bytes) of tensor t."""
    name = str(t.dtype).removeprefix("torch.")
    if name not in _BY_TORCH:
        raise TypeError(f"st: dtype {t.dtype} is not supported")
    dtype = _BY_TORCH[name]
    if hasattr(t, "detach"):
        t = t.detach().cpu().contiguous()
    values = array.array(_DTYPES[dtype][1], t.reshape(-1).tolist())
    if sys.byteorder != "little":
        values.byteswap()
    return dtype, [int(d) for d in t.shape], values.tobytes()


def to_bytes(tensors, metadata=None):
    """Returns the safetensors encoding of tensors (name -> tensor) and metadata."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        dtype, shape, raw = _encode(tensors[name])
        header[name] = {
            "dtype": dtype,
            "shape": shape,
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # keeps the data 8-byte aligned, as the spec suggests
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save(path, tensors, metadata=None):
    """Writes tensors (name -> torch.Tensor) and metadata (str -> str) to path."""
    data = to_bytes(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)


def load(path):
    """Reads path and returns (name -> torch.Tensor, metadata dict)."""
    import torch

    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        torch_name, code = _DTYPES[h["dtype"]]
        values = array.array(code)
        values.frombytes(data[8 + n + a : 8 + n + b])
        if sys.byteorder != "little":
            values.byteswap()
        t = torch.tensor(values.tolist(), dtype=getattr(torch, torch_name))
        tensors[name] = t.reshape(h["shape"])
    return tensors, metadata
