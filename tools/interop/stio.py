"""A minimal safetensors reader and writer (struct + json), so the interop scripts need neither the
`safetensors` package nor numpy beyond what torch brings.

Format: 8-byte little-endian header length N, N bytes of JSON header (padded with spaces to a
multiple of 8) mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} plus
an optional "__metadata__" of str -> str, then the raw little-endian data, offsets relative to the
end of the header. Files written here list and store tensors in the order given.
"""
from __future__ import annotations

import json
import struct

import torch

# safetensors dtype <-> torch dtype, element size
_DTYPES = {
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8), "I32": (torch.int32, 4), "I16": (torch.int16, 2), "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1),
}
_NAMES = {t: name for name, (t, _) in _DTYPES.items()}


def dumps(tensors: dict, metadata: dict | None = None) -> bytes:
    """Serializes name -> tensor (in insertion order) and str -> str metadata."""
    header, chunks, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in _NAMES:
            raise ValueError(f"tensor '{name}': dtype {t.dtype} cannot be stored")
        # via uint8 so that every dtype (bf16 too) is written as its raw little-endian bytes
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        chunks.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(chunks)


def save(path: str, tensors: dict, metadata: dict | None = None) -> None:
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))


def load(path: str):
    """Returns (dict name -> tensor in file order, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: not a safetensors file (too short)")
    n = struct.unpack("<Q", raw[:8])[0]
    if n > len(raw) - 8:
        raise ValueError(f"{path}: not a safetensors file (header length {n} past the end)")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None) or {}
    base, out = 8 + n, {}
    for name, h in header.items():
        if h["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor '{name}': unsupported dtype {h['dtype']}")
        dt, size = _DTYPES[h["dtype"]]
        b, e = h["data_offsets"]
        shape = list(h["shape"])
        numel = 1
        for d in shape:
            numel *= d
        if e - b != numel * size or base + e > len(raw):
            raise ValueError(f"{path}: tensor '{name}': data_offsets {b}..{e} do not fit shape {shape} x {size} bytes")
        buf = bytearray(raw[base + b: base + e])
        t = torch.frombuffer(buf, dtype=torch.uint8).view(dt) if numel else torch.empty(0, dtype=dt)
        out[name] = t.reshape(shape).clone()
    return out, meta
