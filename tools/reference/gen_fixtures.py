#!/usr/bin/python3
"""Generate PyTorch reference fixtures for Ingot's ops, layers and optimizers.

Foundation op groups (matmul ... loss), CNN op groups (conv, pool, cnn_misc), recurrent layers and
embedding (rnn), transformer ops, blocks and an AdamW/clipping/schedule run (transformer), and the
mlp workload's training step (mlp_model).

    /usr/bin/python3 tools/reference/gen_fixtures.py [--out DIR] [--check]

Writes one safetensors file per op group into tools/reference/fixtures/ (see README.md for the
layout and naming). Everything is computed in float64 with autograd from float32-rounded inputs,
then stored as float32 (labels as int32). The script is deterministic: rerunning it reproduces
the files byte for byte. --check regenerates into memory and compares with the files on disk.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT = "ingot-reference-fixtures/1"
F64 = torch.float64


# --------------------------------------------------------------------------- safetensors

_DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.int32: ("I32", "<i4"),
           torch.int64: ("I64", "<i8"), torch.uint8: ("U8", "<u1")}


def safetensors_bytes(tensors: dict, metadata: dict) -> bytes:
    """Serialize name -> tensor (in insertion order) plus str->str metadata as safetensors."""
    header, chunks, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        dt, np_dt = _DTYPES[t.dtype]
        data = t.numpy().astype(np_dt, copy=False).tobytes()  # little-endian
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        chunks.append(data)
        off += len(data)
    meta = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    hdr = json.dumps({**meta, **header}, separators=(",", ":")).encode("utf-8")
    hdr += b" " * (-len(hdr) % 8)
    return struct.pack("<Q", len(hdr)) + hdr + b"".join(chunks)


def read_safetensors(path):
    """Minimal reader (used by --check and the self-test): returns (tensors, metadata)."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    inv = {v[0]: v[1] for v in _DTYPES.values()}
    out = {}
    for name, h in header.items():
        b, e = h["data_offsets"]
        arr = np.frombuffer(raw[8 + n + b: 8 + n + e], dtype=inv[h["dtype"]]).reshape(h["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


# --------------------------------------------------------------------------- case builder

class Group:
    """Collects cases of one op group; each case has inputs, y_out, dy and gradients."""

    def __init__(self, name, seed, description):
        self.name, self.description = name, description
        self.g = torch.Generator().manual_seed(seed)
        self.tensors, self.cases = {}, []

    # random float32-representable values, returned as float64
    def randn(self, *shape):
        return torch.randn(tuple(shape), generator=self.g, dtype=torch.float32).to(F64)

    def uniform(self, lo, hi, *shape):
        return (lo + (hi - lo) * torch.rand(tuple(shape), generator=self.g, dtype=torch.float32)).to(torch.float32).to(F64)

    def away_from_zero(self, *shape, margin=0.1):
        x = self.randn(*shape)
        return (torch.sign(x) * (x.abs() + margin)).to(torch.float32).to(F64)

    def add(self, op, inputs: dict, fn, attrs=None, differentiable=None, extra=None, extra_out=None):
        """inputs: name -> float64 tensor (or int tensor for labels). fn(**inputs) -> output.
        Gradients are computed wrt every float input in `differentiable` (default: all floats).
        extra_out: optional callable(**inputs) -> {name: tensor}, further outputs without a
        gradient (batch norm's updated running statistics), evaluated on fresh copies of the inputs."""
        i = len(self.cases)
        p = f"case{i}."
        attrs = attrs or {}
        if differentiable is None:
            differentiable = [k for k, v in inputs.items() if v.is_floating_point()]
        leaves = {}
        for k, v in inputs.items():
            leaves[k] = v.clone().requires_grad_(k in differentiable)
        y = fn(*[leaves[k] for k in inputs])  # positional, in input order
        dy = self.randn(*y.shape)
        grads = torch.autograd.grad(y, [leaves[k] for k in differentiable], grad_outputs=dy,
                                    allow_unused=True)
        for k, v in inputs.items():
            self.tensors[p + k] = _store(v)
        for k, v in (extra or {}).items():
            self.tensors[p + k] = _store(v)
        self.tensors[p + "y_out"] = _store(y.detach())
        self.tensors[p + "dy"] = _store(dy)
        grad_names = {}
        for k, gr in zip(differentiable, grads):
            if gr is None:
                gr = torch.zeros_like(inputs[k])
            self.tensors[p + "d" + k] = _store(gr)
            grad_names[k] = "d" + k
        case = {
            "op": op, "attrs": attrs,
            "inputs": list(inputs), "extra": list(extra or {}),
            "output": "y_out", "dy": "dy", "grads": grad_names,
            "shapes": {k: list(v.shape) for k, v in inputs.items()} | {"y_out": list(y.shape)},
        }
        if extra_out is not None:  # key only present when used: older files stay byte-identical
            outs = extra_out(*[v.clone() for v in inputs.values()])
            for k, v in outs.items():
                self.tensors[p + k] = _store(v)
                case["shapes"][k] = list(v.shape)
            case["extra_out"] = list(outs)
        self.cases.append(case)

    def payload(self):
        meta = {"format": FORMAT, "group": self.name, "description": self.description,
                "num_cases": str(len(self.cases)),
                "generator": "tools/reference/gen_fixtures.py", "torch": torch.__version__,
                "precision": "computed in float64 from the stored float32 inputs, stored as float32"}
        for i, c in enumerate(self.cases):
            meta[f"case{i}"] = json.dumps(c, separators=(",", ":"))
        meta.update(getattr(self, "meta_extra", {}))
        return safetensors_bytes(self.tensors, meta)


def _store(t):
    if t.is_floating_point():
        return t.detach().to(torch.float32)
    return t.detach().to(torch.int32)


# --------------------------------------------------------------------------- op groups

def g_matmul():
    G = Group("matmul", 101, "y = op(a) @ op(b), op = transpose of the last two axes if transpose_a/_b")
    for (m, k, n) in [(3, 4, 5), (8, 16, 7), (1, 9, 1), (17, 33, 10)]:
        G.add("matmul", {"a": G.randn(m, k), "b": G.randn(k, n)}, lambda a, b: a @ b,
              {"transpose_a": False, "transpose_b": False})
    # transposed operands: stored a/b are the untransposed storage
    G.add("matmul", {"a": G.randn(4, 3), "b": G.randn(4, 5)}, lambda a, b: a.T @ b,
          {"transpose_a": True, "transpose_b": False})
    G.add("matmul", {"a": G.randn(3, 4), "b": G.randn(5, 4)}, lambda a, b: a @ b.T,
          {"transpose_a": False, "transpose_b": True})
    G.add("matmul", {"a": G.randn(6, 2), "b": G.randn(7, 6)}, lambda a, b: a.T @ b.T,
          {"transpose_a": True, "transpose_b": True})
    # batched (leading batch axis on both operands), as used by attention
    G.add("matmul", {"a": G.randn(2, 3, 4), "b": G.randn(2, 4, 5)}, lambda a, b: a @ b,
          {"transpose_a": False, "transpose_b": False, "batched": True})
    G.add("matmul", {"a": G.randn(2, 3, 4), "b": G.randn(2, 5, 4)}, lambda a, b: a @ b.transpose(1, 2),
          {"transpose_a": False, "transpose_b": True, "batched": True})
    return G


def g_binary():
    G = Group("binary", 102, "elementwise binary ops with numpy-style broadcasting; y = a OP b")
    shapes = [((4, 5), (4, 5)), ((4, 5), (5,)), ((4, 1), (1, 5)), ((4, 5), ()), ((2, 3, 4), (3, 1))]
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op, f in ops.items():
        for sa, sb in shapes:
            a = G.randn(*sa)
            b = G.away_from_zero(*sb, margin=0.5) if op == "div" else G.randn(*sb)
            G.add(op, {"a": a, "b": b}, f, {"broadcast": list(sa) != list(sb)})
    # maximum / minimum without ties (|a - b| >= 0.05 everywhere)
    for op, f in {"maximum": torch.maximum, "minimum": torch.minimum}.items():
        for sa, sb in [((4, 5), (4, 5)), ((4, 5), (5,)), ((2, 3, 4), (2, 3, 4))]:
            a, b = G.randn(*sa), G.randn(*sb)
            # a has the full shape: move its elements that are within 0.05 of b away from b
            while (torch.broadcast_to(b, a.shape) - a).abs().min() < 0.05:
                close = (torch.broadcast_to(b, a.shape) - a).abs() < 0.05
                a = torch.where(close, a + 0.2, a).to(torch.float32).to(F64)
            assert (torch.broadcast_to(b, a.shape) - a).abs().min() >= 0.05
            G.add(op, {"a": a, "b": b}, f, {"broadcast": list(sa) != list(sb), "ties": False})
    return G


def g_unary():
    G = Group("unary", 103, "elementwise unary ops; pow has attrs.exponent (constant)")
    shapes = [(7,), (4, 5), (2, 3, 4)]
    for s in shapes:
        G.add("neg", {"x": G.randn(*s)}, torch.neg)
        G.add("exp", {"x": G.randn(*s)}, torch.exp)
        G.add("log", {"x": G.uniform(0.1, 4.0, *s)}, torch.log, {"domain": "x > 0"})
        G.add("tanh", {"x": G.randn(*s) * 2}, torch.tanh)
        G.add("sigmoid", {"x": G.randn(*s) * 3}, torch.sigmoid)
        G.add("relu", {"x": G.away_from_zero(*s, margin=0.05)}, torch.relu, {"domain": "x != 0"})
        G.add("sqrt", {"x": G.uniform(0.1, 4.0, *s)}, torch.sqrt, {"domain": "x > 0"})
        for e in (2.0, 3.0, 0.5, -1.0):
            x = G.uniform(0.2, 3.0, *s) if e in (0.5, -1.0) else G.randn(*s)
            G.add("pow", {"x": x}, lambda x, e=e: torch.pow(x, e), {"exponent": e})
    return G


def g_where():
    G = Group("where", 104, "y = where(c > 0, a, b); the mask is a comparison of input c with 0 "
              "(extra tensor 'mask' = 1.0 where c > 0 else 0.0); c gets no gradient")
    for sa, sb, sc in [((4, 5), (4, 5), (4, 5)), ((2, 3, 4), (2, 3, 4), (2, 3, 4)),
                       ((4, 5), (5,), (4, 5)), ((4, 5), (4, 5), (4, 1))]:
        c = G.away_from_zero(*sc, margin=0.05)
        G.add("where", {"c": c, "a": G.randn(*sa), "b": G.randn(*sb)},
              lambda c, a, b: torch.where(c > 0, a, b), {"cond": "c > 0"},
              differentiable=["a", "b"], extra={"mask": (c > 0).to(F64)})
    return G


def g_reduce():
    G = Group("reduce", 105, "y = sum|mean|max of x over attrs.axes (null = all axes), attrs.keepdim; "
              "max inputs have no ties")
    cases = [((2, 3, 4), [0]), ((2, 3, 4), [-1]), ((2, 3, 4), [0, 2]), ((2, 3, 4), [1]),
             ((4, 5), [0]), ((4, 5), [1]), ((2, 3, 4), None), ((6,), [0])]
    for op in ("sum", "mean", "max"):
        for shape, axes in cases:
            for keepdim in (False, True):
                if axes is None and keepdim:
                    continue
                # distinct values so max has a unique argmax
                x = G.randn(*shape) if op != "max" else \
                    (torch.randperm(math.prod(shape), generator=G.g).to(F64).reshape(shape) * 0.125 - 1.0)
                if axes is None:
                    fn = {"sum": lambda x: x.sum(), "mean": lambda x: x.mean(), "max": lambda x: x.amax()}[op]
                else:
                    fn = {"sum": lambda x, a=axes, k=keepdim: x.sum(dim=a, keepdim=k),
                          "mean": lambda x, a=axes, k=keepdim: x.mean(dim=a, keepdim=k),
                          "max": lambda x, a=axes, k=keepdim: x.amax(dim=a, keepdim=k)}[op]
                G.add(op, {"x": x}, fn, {"axes": axes, "keepdim": keepdim})
    return G


def g_shape():
    G = Group("shape", 106, "reshape (attrs.shape), transpose/permute (attrs.perm), "
              "broadcast_to (attrs.shape)")
    for s, t in [((2, 3, 4), (6, 4)), ((4, 6), (2, 2, 6)), ((2, 3, 4), (24,)), ((24,), (2, 3, 4)),
                 ((5, 1), (1, 5))]:
        G.add("reshape", {"x": G.randn(*s)}, lambda x, t=t: x.reshape(t), {"shape": list(t)})
    for s, p in [((3, 5), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 2, 1)), ((2, 3, 4), (1, 0, 2)),
                 ((2, 3, 4, 5), (0, 2, 1, 3))]:
        op = "transpose" if len(s) == 2 else "permute"
        G.add(op, {"x": G.randn(*s)}, lambda x, p=p: x.permute(p).contiguous(), {"perm": list(p)})
    for s, t in [((5,), (4, 5)), ((4, 1), (4, 5)), ((1, 3, 1), (2, 3, 4)), ((), (3, 2)), ((3, 1), (2, 3, 4))]:
        G.add("broadcast_to", {"x": G.randn(*s)}, lambda x, t=t: torch.broadcast_to(x, t).contiguous(),
              {"shape": list(t)})
    return G


def g_softmax():
    G = Group("softmax", 107, "softmax / log_softmax over attrs.axis")
    for op, f in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for s, ax in [((4, 5), -1), ((4, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1), ((3, 10), -1)]:
            G.add(op, {"x": G.randn(*s) * 2}, lambda x, ax=ax, f=f: f(x, dim=ax), {"axis": ax})
    return G


def g_loss():
    G = Group("loss", 108, "softmax_cross_entropy(logits [N,C], labels int32 [N]) mean over N; "
              "mse(pred, target) = mean((pred - target)^2) over all elements; outputs are scalars "
              "and dy is a random scalar")
    for n, c in [(8, 10), (4, 3), (1, 5), (16, 65)]:
        labels = torch.randint(0, c, (n,), generator=G.g)
        G.add("softmax_cross_entropy", {"logits": G.randn(n, c) * 2, "labels": labels},
              lambda logits, labels: torch.nn.functional.cross_entropy(logits, labels.long()),
              {"reduction": "mean", "axis": -1}, differentiable=["logits"])
    for s in [(4, 5), (7,), (2, 3, 4)]:
        G.add("mse", {"pred": G.randn(*s), "target": G.randn(*s)},
              lambda pred, target: torch.nn.functional.mse_loss(pred, target), {"reduction": "mean"})
    return G


# --------------------------------------------------------------------------- CNN ops

F = torch.nn.functional


def _distinct(G, *shape, step=0.0625):
    """Values of a random permutation times `step`, centred: no two elements are equal (max-pool ties)."""
    n = math.prod(shape)
    return (torch.randperm(n, generator=G.g).to(F64).reshape(shape) - n / 2) * step


def g_conv():
    G = Group("conv", 111, "y = conv2d(x, w) without bias, NCHW x, OIHW w [out, in/groups, kh, kw]; "
              "attrs: stride [sh,sw], pad [top,left,bottom,right] (the padding actually applied), "
              "padding (the argument as given to Ingot's conv: a number, [h,w], [t,l,b,r] or \"same\"), "
              "dilation [dh,dw], groups; asymmetric padding is F.pad then F.conv2d")
    #        x shape        w shape         stride  pad [t,l,b,r]  dilation groups ingot padding arg
    cases = [((2, 3, 7, 7), (4, 3, 3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, "valid"),
             ((2, 3, 8, 8), (5, 3, 3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1, 1),
             ((1, 2, 6, 7), (3, 2, 3, 2), (1, 1), (1, 0, 1, 0), (1, 1), 1, [1, 0]),
             ((2, 2, 5, 6), (3, 2, 3, 3), (1, 1), (0, 1, 2, 1), (1, 1), 1, [0, 1, 2, 1]),
             ((1, 3, 7, 8), (2, 3, 3, 3), (2, 2), (1, 0, 0, 1), (1, 1), 1, [1, 0, 0, 1]),
             ((1, 2, 8, 8), (3, 2, 3, 3), (2, 2), (0, 0, 1, 1), (1, 1), 1, "same"),     # TF-style: odd pixel bottom/right
             ((1, 2, 6, 6), (2, 2, 5, 5), (1, 1), (2, 2, 2, 2), (1, 1), 1, "same"),
             ((1, 3, 9, 9), (2, 3, 3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 1, 2),          # dilation 2
             ((2, 4, 6, 6), (6, 2, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2, 1),          # groups 2
             ((2, 4, 6, 6), (4, 1, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4, 1),          # depthwise
             ((1, 3, 5, 5), (6, 1, 3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 3, 1),          # depthwise, multiplier 2, stride 2
             ((2, 5, 4, 4), (3, 5, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1, 0),          # 1x1
             ((2, 4, 5, 5), (6, 4, 1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1, 0),          # 1x1 stride 2
             ((2, 2, 7, 9), (4, 2, 3, 3), (2, 1), (1, 2, 1, 2), (1, 2), 1, [1, 2]),     # mixed stride and dilation
             ((1, 4, 8, 8), (4, 2, 3, 3), (2, 2), (0, 0, 0, 0), (1, 1), 2, "valid"),    # stride 2, last row/col dropped
             ((2, 2, 5, 6), (3, 2, 2, 2), (1, 1), (0, 0, 1, 1), (1, 1), 1, "same"),     # even kernel: odd pixel bottom/right
             ((1, 2, 6, 6), (2, 2, 3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 1, "same"),     # "same" with dilation 2
             ((1, 2, 8, 8), (2, 2, 2, 2), (3, 3), (0, 0, 0, 0), (1, 1), 1, 0)]          # stride > kernel: skipped pixels
    for xs, ws, st, pad, dil, groups, arg in cases:
        t, l, b, r = pad

        def fn(x, w, st=st, pad=pad, dil=dil, groups=groups):
            t, l, b, r = pad
            if t == b and l == r:
                return F.conv2d(x, w, stride=st, padding=(t, l), dilation=dil, groups=groups)
            return F.conv2d(F.pad(x, (l, r, t, b)), w, stride=st, dilation=dil, groups=groups)

        G.add("conv2d", {"x": G.randn(*xs), "w": G.randn(*ws) * 0.5}, fn,
              {"stride": list(st), "pad": list(pad), "padding": arg, "dilation": list(dil), "groups": groups})
    return G


def g_pool():
    G = Group("pool", 112, "max_pool2d / avg_pool2d over NCHW; attrs kernel [kh,kw], stride [sh,sw] "
              "(null = the kernel, Ingot's and PyTorch's default), padding [ph,pw] (symmetric); "
              "ceil_mode False; avg: count_include_pad True; max: inputs have no ties")
    cases = [((2, 3, 6, 6), (2, 2), (2, 2), (0, 0)),
             ((1, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
             ((2, 2, 5, 6), (3, 3), (1, 1), (0, 0)),
             ((1, 3, 7, 7), (2, 2), (2, 2), (0, 0)),      # odd size: floor
             ((2, 2, 6, 8), (2, 3), (1, 2), (1, 1)),
             ((1, 2, 5, 5), (3, 3), None, (1, 1)),        # default stride = kernel
             ((1, 2, 8, 8), (2, 2), (3, 3), (0, 0))]      # stride > kernel: skipped pixels
    for op in ("max_pool2d", "avg_pool2d"):
        for xs, k, st, pad in cases:
            x = _distinct(G, *xs) if op == "max_pool2d" else G.randn(*xs)
            if op == "max_pool2d":
                fn = lambda x, k=k, st=st, pad=pad: F.max_pool2d(x, k, stride=st, padding=pad)
            else:
                fn = lambda x, k=k, st=st, pad=pad: F.avg_pool2d(x, k, stride=st, padding=pad,
                                                                 count_include_pad=True)
            G.add(op, {"x": x}, fn, {"kernel": list(k), "stride": None if st is None else list(st),
                                    "padding": list(pad), "ceil_mode": False}
                  | ({"count_include_pad": True} if op == "avg_pool2d" else {}))
    return G


def _torch_pad(before, after):
    """Ingot's per-dimension before/after counts as F.pad's tuple (last dimension first)."""
    r = []
    for b, a in zip(reversed(before), reversed(after)):
        r += [b, a]
    return tuple(r)


def g_cnn_misc():
    G = Group("cnn_misc", 113, "pad (constant value), concat, slice, batch_norm (training and "
              "inference), global_avg_pool2d, flatten; see README for the attrs of each")
    for xs, before, after, value in [((2, 3, 4, 4), (0, 0, 1, 2), (0, 0, 2, 0), 0.0),
                                     ((3, 4), (1, 0), (0, 2), 0.5),
                                     ((2, 3, 5), (0, 1, 0), (0, 0, 3), -1.0)]:
        G.add("pad", {"x": G.randn(*xs)},
              lambda x, b=before, a=after, v=value: F.pad(x, _torch_pad(b, a), mode="constant", value=v),
              {"before": list(before), "after": list(after), "value": value})
    for shapes, axis in [([(2, 3, 4), (2, 2, 4)], 1), ([(2, 3), (2, 4), (2, 1)], -1),
                         ([(1, 3, 2), (2, 3, 2)], 0), ([(2, 3, 2, 2), (2, 1, 2, 2)], 1)]:
        names = "abc"[:len(shapes)]
        G.add("concat", {n: G.randn(*s) for n, s in zip(names, shapes)},
              lambda *xs, axis=axis: torch.cat(xs, dim=axis), {"axis": axis})
    for xs, begin, end in [((2, 4, 3, 3), (0, 1, 0, 0), (2, 3, 3, 3)),
                           ((2, 3, 5, 6), (0, 0, 1, 0), (2, 3, 4, 2)),
                           ((4, 6), (1, 2), (3, 6))]:
        G.add("slice", {"x": G.randn(*xs)},
              lambda x, b=begin, e=end: x[tuple(slice(i, j) for i, j in zip(b, e))].contiguous(),
              {"begin": list(begin), "end": list(end)})
    # batch norm, training mode: batch statistics (biased variance) normalize; the running statistics
    # are updated r = (1 - momentum) r + momentum s with the unbiased batch variance
    for xs, momentum, eps in [((4, 3, 5, 5), 0.1, 1e-5), ((6, 4), 0.1, 1e-5), ((2, 2, 3, 3), 0.3, 1e-3)]:
        c = xs[1]
        ins = {"x": G.randn(*xs) * 1.5 + 0.5, "gamma": G.uniform(0.5, 1.5, c), "beta": G.randn(c),
               "running_mean": G.randn(c) * 0.5, "running_var": G.uniform(0.5, 2.0, c)}

        def bn_train(x, gamma, beta, rm, rv, m=momentum, eps=eps):
            return F.batch_norm(x, rm.detach().clone(), rv.detach().clone(), gamma, beta, training=True,
                                momentum=m, eps=eps)

        def bn_stats(x, gamma, beta, rm, rv, m=momentum, eps=eps):
            F.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=m, eps=eps)  # updates rm, rv in place
            return {"running_mean_out": rm, "running_var_out": rv}

        G.add("batch_norm", ins, bn_train, {"training": True, "momentum": momentum, "eps": eps},
              differentiable=["x", "gamma", "beta"], extra_out=bn_stats)
    # inference mode: the given running statistics normalize
    for xs, eps in [((4, 3, 5, 5), 1e-5), ((6, 4), 1e-5)]:
        c = xs[1]
        ins = {"x": G.randn(*xs) * 1.5 + 0.5, "gamma": G.uniform(0.5, 1.5, c), "beta": G.randn(c),
               "running_mean": G.randn(c) * 0.5, "running_var": G.uniform(0.5, 2.0, c)}
        G.add("batch_norm", ins,
              lambda x, gamma, beta, rm, rv, eps=eps: F.batch_norm(x, rm, rv, gamma, beta, training=False, eps=eps),
              {"training": False, "momentum": 0.1, "eps": eps}, differentiable=["x", "gamma", "beta"])
    for xs in [(2, 3, 4, 5), (1, 4, 3, 3)]:
        G.add("global_avg_pool2d", {"x": G.randn(*xs)}, lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1))
    for xs in [(2, 3, 2, 2), (3, 2, 5)]:
        G.add("flatten", {"x": G.randn(*xs)}, lambda x: torch.flatten(x, 1))
    return G


# --------------------------------------------------------------------------- recurrent

def g_rnn():
    """Whole recurrent layers (model cases) plus embedding lookups (op cases) in one file."""
    G = Group("rnn", 121, "cases with op rnn|lstm|gru: a torch.nn.RNN(tanh)/LSTM/GRU (batch_first, bias) "
              "with fixed weights on x [batch, seq, input] (cases with attrs.initial_state also get h0 "
              "(and c0), differentiated: dh0, dc0); outputs output, h_n (and c_n), upstream "
              "gradients dy, dh_n (dc_n); loss = sum(output*dy) + sum(h_n*dh_n) (+ sum(c_n*dc_n)); "
              "gradients dx and grad.<torch parameter name>. Cases with op embedding: y = weight[ids] "
              "(ids int32, repeated), gradient dweight (scatter-add)")
    B, T, IN, H = 3, 5, 4, 6
    recurrent = [(op, cls, layers, bidir, False)
                 for op, cls in (("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU))
                 for layers, bidir in ((1, False), (1, True), (2, False))]
    # after the embedding cases (appended last, so the earlier case numbers stay): a given initial state
    with_state = [("lstm", torch.nn.LSTM, 1, False, True), ("gru", torch.nn.GRU, 1, False, True)]

    def add_recurrent(op, cls, layers, bidir, init_state):
        i = len(G.cases)
        p = f"case{i}."
        m = cls(IN, H, num_layers=layers, bidirectional=bidir, batch_first=True).to(F64)
        k = 1.0 / math.sqrt(H)
        names = [n for n, _ in m.named_parameters()]
        with torch.no_grad():
            for n, w in m.named_parameters():   # PyTorch's own init range, from our generator
                w.copy_(G.uniform(-k, k, *w.shape))
        x = G.randn(B, T, IN).requires_grad_(True)
        inits = {}
        if init_state:  # h0 (and c0) [layers * directions, batch, hidden], differentiated too
            inits["h0"] = (G.randn(layers * (2 if bidir else 1), B, H) * 0.5).requires_grad_(True)
            if op == "lstm":
                inits["c0"] = (G.randn(layers * (2 if bidir else 1), B, H) * 0.5).requires_grad_(True)
            out = m(x, (inits["h0"], inits["c0"]) if op == "lstm" else inits["h0"])
        else:
            out = m(x)
        output, state = out
        h_n, c_n = state if op == "lstm" else (state, None)
        ups = {"output": G.randn(*output.shape), "h_n": G.randn(*h_n.shape)}
        loss = (output * ups["output"]).sum() + (h_n * ups["h_n"]).sum()
        if c_n is not None:
            ups["c_n"] = G.randn(*c_n.shape)
            loss = loss + (c_n * ups["c_n"]).sum()
        params = [dict(m.named_parameters())[n] for n in names]
        grads = torch.autograd.grad(loss, [x] + params + list(inits.values()))
        G.tensors[p + "x"] = _store(x)
        for n, v in inits.items():
            G.tensors[p + n] = _store(v)
        for n, w in zip(names, params):
            G.tensors[p + n] = _store(w)
        G.tensors[p + "output"] = _store(output)
        G.tensors[p + "h_n"] = _store(h_n)
        if c_n is not None:
            G.tensors[p + "c_n"] = _store(c_n)
        up_names = {"output": "dy", "h_n": "dh_n", "c_n": "dc_n"}
        for n, u in ups.items():
            G.tensors[p + up_names[n]] = _store(u)
        G.tensors[p + "dx"] = _store(grads[0])
        for n, gr in zip(names, grads[1:1 + len(names)]):
            G.tensors[p + "grad." + n] = _store(gr)
        for n, gr in zip(inits, grads[1 + len(names):]):
            G.tensors[p + "d" + n] = _store(gr)
        shapes = {"x": list(x.shape), "output": list(output.shape), "h_n": list(h_n.shape)}
        shapes.update({n: list(v.shape) for n, v in inits.items()})
        if c_n is not None:
            shapes["c_n"] = list(c_n.shape)
        shapes.update({n: list(w.shape) for n, w in zip(names, params)})
        G.cases.append({
            "op": op, "attrs": {"input_size": IN, "hidden_size": H, "num_layers": layers,
                                "bidirectional": bidir, "batch_first": True, "bias": True,
                                "nonlinearity": "tanh" if op == "rnn" else None}
                     | ({"initial_state": list(inits)} if init_state else {}),
            "inputs": ["x"] + list(inits), "params": names,
            "outputs": {n: up_names[n] for n in ups},
            "grads": {"x": "dx"} | {n: "d" + n for n in inits} | {n: "grad." + n for n in names},
            "shapes": shapes,
            "loss": "sum(output*dy) + sum(h_n*dh_n)" + (" + sum(c_n*dc_n)" if c_n is not None else ""),
        })
    for r in recurrent:
        add_recurrent(*r)
    # embedding lookup: y = weight[ids]; the gradient scatter-adds dy rows into the ids' rows
    for vocab, dim, ids in [(7, 3, [[1, 4, 4, 0, 6], [4, 2, 1, 1, 4]]), (5, 4, [3, 0, 3, 3, 1, 4]),
                            (6, 2, [[[0, 5], [5, 5]], [[2, 0], [1, 5]], [[0, 0], [3, 4]]])]:
        G.add("embedding", {"weight": G.randn(vocab, dim), "ids": torch.tensor(ids, dtype=torch.int32)},
              lambda weight, ids: weight[ids.long()], {"vocab": vocab, "dim": dim}, differentiable=["weight"])
    for r in with_state:
        add_recurrent(*r)
    return G


# --------------------------------------------------------------------------- transformer

def _attention(q, k, v, mask=None):
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s + mask
    return torch.softmax(s, dim=-1) @ v


def _causal(t):
    return torch.triu(torch.full((t, t), float("-inf"), dtype=F64), diagonal=1)


def _padding_mask(lengths, t):
    """Additive key-padding mask [batch, 1, 1, t]: 0 for the first lengths[b] keys, -inf after."""
    m = torch.zeros(len(lengths), 1, 1, t, dtype=F64)
    for b, n in enumerate(lengths):
        m[b, ..., n:] = float("-inf")
    return m


def _block_params(G, d, ff):
    """Ingot's transformer_block parameters (dense w is [in, out]), PyTorch-like init from our generator."""
    P = {}
    for ln in ("ln1", "ln2"):
        P[ln + ".gamma"] = G.uniform(0.7, 1.3, d)
        P[ln + ".beta"] = G.randn(d) * 0.1
    for name, (i, o) in (("attn.q", (d, d)), ("attn.k", (d, d)), ("attn.v", (d, d)), ("attn.o", (d, d)),
                         ("ff.up", (d, ff)), ("ff.down", (ff, d))):
        bound = 1 / math.sqrt(i)
        P[name + ".w"] = G.uniform(-bound, bound, i, o)
        P[name + ".b"] = G.uniform(-bound, bound, o)
    return P


def _block_torch(P, d, heads, ff):
    """torch.nn.TransformerEncoderLayer (pre-LN, exact GELU, no dropout) holding the parameters P."""
    m = torch.nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation="gelu",
                                         batch_first=True, norm_first=True).to(F64)
    with torch.no_grad():
        m.self_attn.in_proj_weight.copy_(torch.cat([P["attn.q.w"].T, P["attn.k.w"].T, P["attn.v.w"].T]))
        m.self_attn.in_proj_bias.copy_(torch.cat([P["attn.q.b"], P["attn.k.b"], P["attn.v.b"]]))
        m.self_attn.out_proj.weight.copy_(P["attn.o.w"].T)
        m.self_attn.out_proj.bias.copy_(P["attn.o.b"])
        m.linear1.weight.copy_(P["ff.up.w"].T)
        m.linear1.bias.copy_(P["ff.up.b"])
        m.linear2.weight.copy_(P["ff.down.w"].T)
        m.linear2.bias.copy_(P["ff.down.b"])
        for ln, mod in (("ln1", m.norm1), ("ln2", m.norm2)):
            mod.weight.copy_(P[ln + ".gamma"])
            mod.bias.copy_(P[ln + ".beta"])
    m.train()  # the reference (non-fused) code path; dropout is 0
    return m


def _block_manual(P, x, heads, mask):
    """The same block written out as Ingot's prelude computes it (used to cross-check the mapping)."""
    def ln(h, n):
        return F.layer_norm(h, (h.shape[-1],), P[n + ".gamma"], P[n + ".beta"], eps=1e-5)

    def dense(h, n):
        return h @ P[n + ".w"] + P[n + ".b"]
    b, t, d = x.shape
    dh = d // heads
    split = lambda h: h.reshape(b, t, heads, dh).transpose(1, 2)
    a = ln(x, "ln1")
    o = _attention(split(dense(a, "attn.q")), split(dense(a, "attn.k")), split(dense(a, "attn.v")), mask)
    h = x + dense(o.transpose(1, 2).reshape(b, t, d), "attn.o")
    return h + dense(F.gelu(dense(ln(h, "ln2"), "ff.up")), "ff.down")


def _adamw_lambda(step, warmup, total):
    """Ingot's Schedule factor (optim/Schedule.java) for kind cosine: the LambdaLR multiplier of step `step`."""
    warm = min(1.0, (step + 1) / warmup) if warmup > 0 else 1.0
    p = min(max((step - warmup) / max(total - warmup, 1), 0.0), 1.0)
    f = (1 + math.cos(math.pi * p)) / 2 if total > 0 else 1.0
    return warm * f


def g_transformer():
    G = Group("transformer", 131, "op cases: layer_norm over the last axis (gamma, beta, attrs.eps); "
              "gelu (attrs.approximate none|tanh); attention y = softmax(q k^T / sqrt(D) + mask) v with "
              "q [B,H,Tq,D], k, v [B,H,Tk,D], attrs.mask none|causal|padding (padding: input 'mask' "
              "[B,1,1,Tk], additive 0/-inf, no gradient; causal: -inf above the diagonal, not stored). "
              "Model sections block{j}.* (a pre-LN transformer block) and adamw.* (AdamW, clipping and "
              "a warm-up + cosine schedule): see the metadata keys block{j} and adamw")
    for xs, eps in [((2, 3, 8), 1e-5), ((4, 16), 1e-5), ((3, 5), 1e-3)]:
        d = xs[-1]
        G.add("layer_norm", {"x": G.randn(*xs) * 2 + 0.3, "gamma": G.uniform(0.5, 1.5, d), "beta": G.randn(d)},
              lambda x, g, b, eps=eps: F.layer_norm(x, (x.shape[-1],), g, b, eps=eps), {"eps": eps})
    for approx in ("none", "tanh"):
        for xs in [(3, 7), (2, 3, 4)]:
            G.add("gelu", {"x": G.randn(*xs) * 2}, lambda x, a=approx: F.gelu(x, approximate=a),
                  {"approximate": approx})
    for (b, h, tq, tk, d), kind, lengths in [((2, 2, 4, 4, 3), "causal", None),
                                             ((1, 3, 6, 6, 8), "causal", None),
                                             ((2, 2, 5, 5, 4), "padding", [5, 3]),
                                             ((2, 1, 3, 5, 4), "padding", [2, 5]),
                                             ((1, 2, 3, 4, 4), "none", None)]:
        ins = {"q": G.randn(b, h, tq, d), "k": G.randn(b, h, tk, d), "v": G.randn(b, h, tk, d)}
        if kind == "padding":
            ins["mask"] = _padding_mask(lengths, tk)
            fn = lambda q, k, v, mask: _attention(q, k, v, mask)
        elif kind == "causal":
            fn = lambda q, k, v: _attention(q, k, v, _causal(q.shape[-2]))
        else:
            fn = lambda q, k, v: _attention(q, k, v)
        G.add("attention", ins, fn, {"mask": kind, "scale": "1/sqrt(D)"} | ({"lengths": lengths} if lengths else {}),
              differentiable=["q", "k", "v"])

    # ---- whole pre-LN transformer blocks: Ingot's transformer_block(8, 2, 16) ----
    d, heads, ff, bsz, t = 8, 2, 16, 2, 4
    blocks = []
    for j, (kind, lengths) in enumerate((("causal", None), ("padding", [4, 2]))):
        P = _block_params(G, d, ff)
        x = G.randn(bsz, t, d)
        dy = G.randn(bsz, t, d)
        names = list(P)
        leaves = {k: v.clone().requires_grad_(True) for k, v in P.items()}
        xl = x.clone().requires_grad_(True)
        m = _block_torch(leaves, d, heads, ff)
        if kind == "causal":
            mask = _causal(t)
            y = m(xl, src_mask=mask)
        else:
            mask = _padding_mask(lengths, t)
            y = m(xl, src_key_padding_mask=torch.tensor([[i >= n for i in range(t)] for n in lengths]))
        ref = _block_manual(P, x, heads, mask)
        assert torch.allclose(y, ref, atol=1e-12, rtol=0), "TransformerEncoderLayer and the manual block differ"
        tp = dict(m.named_parameters())
        torch_params = [tp[n] for n in ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
                                        "self_attn.in_proj_weight", "self_attn.in_proj_bias",
                                        "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                                        "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")]
        gr = torch.autograd.grad((y * dy).sum(), [xl] + torch_params)
        gx, (g1w, g1b, g2w, g2b, giw, gib, gow, gob, gl1w, gl1b, gl2w, gl2b) = gr[0], gr[1:]
        grads = {"ln1.gamma": g1w, "ln1.beta": g1b, "ln2.gamma": g2w, "ln2.beta": g2b,
                 "attn.q.w": giw[0:d].T, "attn.k.w": giw[d:2 * d].T, "attn.v.w": giw[2 * d:].T,
                 "attn.q.b": gib[0:d], "attn.k.b": gib[d:2 * d], "attn.v.b": gib[2 * d:],
                 "attn.o.w": gow.T, "attn.o.b": gob, "ff.up.w": gl1w.T, "ff.up.b": gl1b,
                 "ff.down.w": gl2w.T, "ff.down.b": gl2b}
        # cross-check the gradients through the manual block too
        gm = torch.autograd.grad((_block_manual(leaves, xl, heads, mask) * dy).sum(), [leaves[n] for n in names])
        for n, g2 in zip(names, gm):
            assert torch.allclose(grads[n], g2, atol=1e-12, rtol=0), n
        p = f"block{j}."
        G.tensors[p + "x"] = _store(x)
        G.tensors[p + "mask"] = _store(mask)
        for n in names:
            G.tensors[p + n] = _store(P[n])
        G.tensors[p + "y"] = _store(y)
        G.tensors[p + "dy"] = _store(dy)
        G.tensors[p + "dx"] = _store(gx)
        for n in names:
            G.tensors[p + "grad." + n] = _store(grads[n])
        blocks.append(json.dumps({
            "layer": f"transformer_block({d}, {heads}, {ff})", "mask": kind, "lengths": lengths,
            "x": [bsz, t, d], "params": names,
            "torch": "nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0, "
                     "activation='gelu', batch_first=True, norm_first=True), train mode; "
                     + ("src_mask = causal additive -inf mask" if kind == "causal" else
                        "src_key_padding_mask = (position >= length); stored 'mask' is its additive form [B,1,1,T]"),
            "mapping": "attn.q/k/v.w = in_proj_weight[rows of q/k/v].T, attn.o.w = out_proj.weight.T, "
                       "ff.up.w = linear1.weight.T, ff.down.w = linear2.weight.T, ln1 = norm1, ln2 = norm2",
            "loss": "sum(y * dy)", "grads": "dx, grad.<param>"}, separators=(",", ":")))

    # ---- AdamW + gradient clipping + warm-up/cosine schedule on a tiny model, 4 steps ----
    gen = G
    n_in, hid, n_out, bsz = 5, 8, 3, 4
    P = {"fc1.w": gen.uniform(-1, 1, n_in, hid) / math.sqrt(n_in), "fc1.b": gen.uniform(-0.3, 0.3, hid),
         "ln.gamma": gen.uniform(0.7, 1.3, hid), "ln.beta": gen.randn(hid) * 0.1,
         "out.w": gen.uniform(-1, 1, hid, n_out) / math.sqrt(hid), "out.b": gen.uniform(-0.3, 0.3, n_out)}
    P = {k: v.to(torch.float32).to(F64) for k, v in P.items()}
    x = gen.randn(bsz, n_in)
    labels = torch.randint(0, n_out, (bsz,), generator=gen.g)
    lr, wd, clip, warmup, total, steps = 0.01, 0.1, 0.5, 2, 5, 4
    names = list(P)
    leaves = [P[k].clone().requires_grad_(True) for k in names]
    opt = torch.optim.AdamW(leaves, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: _adamw_lambda(s, warmup, total))
    T = {"adamw.x": x, "adamw.labels": labels}
    T.update({"adamw." + k: v for k, v in P.items()})
    lrs, norms = [], []
    for s in range(steps):
        opt.zero_grad(set_to_none=True)
        pp = dict(zip(names, leaves))
        h = F.gelu(x @ pp["fc1.w"] + pp["fc1.b"])
        h = F.layer_norm(h, (hid,), pp["ln.gamma"], pp["ln.beta"], eps=1e-5)
        loss = F.cross_entropy(h @ pp["out.w"] + pp["out.b"], labels)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(leaves, clip)))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        T[f"adamw.loss{s + 1}"] = loss.detach()
        T.update({f"adamw.step{s + 1}.{k}": t.detach().clone() for k, t in zip(names, leaves)})
    assert all(nm > clip for nm in norms), f"clipping must be active at every step: {norms}"
    assert [round(v / lr, 12) for v in lrs] == [0.5, 1.0, 1.0, 0.75], lrs
    for k, v in T.items():
        G.tensors[k] = _store(v)
    adamw = {
        "model": "logits = layer_norm(gelu(x @ fc1.w + fc1.b)) @ out.w + out.b; loss = mean softmax "
                 "cross-entropy(logits, labels); Ingot: dense(5, 8, activation = gelu) |> layer_norm(8) "
                 "|> dense(8, 3)",
        "params": names, "batch": bsz,
        "optimizer": f"torch.optim.AdamW(lr={lr}, betas=(0.9, 0.999), eps=1e-8, weight_decay={wd})",
        "clip": f"torch.nn.utils.clip_grad_norm_(params, {clip}) before every step (always active: "
                f"norms {[round(v, 6) for v in norms]})",
        "schedule": f"LambdaLR with Ingot's cosine(warmup = {warmup}) factor, opt.total_steps = {total}: "
                    f"min(1, (s+1)/{warmup}) * (1 + cos(pi clamp((s-{warmup})/max({total}-{warmup},1), 0, 1)))/2 "
                    f"for step s = 0, 1, ...; lr per step {lrs}",
        "steps": steps, "total_steps": total, "warmup": warmup, "lr": lr, "weight_decay": wd, "clip_norm": clip,
        "tensors": "adamw.x, adamw.labels (int32), adamw.<param> (initial), adamw.loss{s} (loss at step s, "
                   "before its update), adamw.step{s}.<param> (after s steps), s = 1.." + str(steps),
    }
    G.meta_extra = {f"block{j}": b for j, b in enumerate(blocks)}
    G.meta_extra["num_blocks"] = str(len(blocks))
    G.meta_extra["adamw"] = json.dumps(adamw, separators=(",", ":"))
    return G


# --------------------------------------------------------------------------- whole model

def mlp_model():
    """mlp workload (784->256 relu->128 relu->10, softmax CE) on 16 MNIST-shaped inputs.
    Weights are stored in x @ w + b layout: w1 [784,256], w2 [256,128], w3 [128,10]."""
    g = torch.Generator().manual_seed(201)
    dims = [784, 256, 128, 10]
    params = {}
    for i in range(3):
        fan_in, fan_out = dims[i], dims[i + 1]
        bound = 1.0 / math.sqrt(fan_in)  # PyTorch nn.Linear default init range
        params[f"w{i + 1}"] = ((torch.rand(fan_in, fan_out, generator=g) * 2 - 1) * bound).float().to(F64)
        params[f"b{i + 1}"] = ((torch.rand(fan_out, generator=g) * 2 - 1) * bound).float().to(F64)
    x = torch.rand(16, 784, generator=g).float().to(F64)           # pixel intensities in [0, 1)
    labels = torch.randint(0, 10, (16,), generator=g)
    names = list(params)

    def forward(p):
        h = torch.relu(x @ p["w1"] + p["b1"])
        h = torch.relu(h @ p["w2"] + p["b2"])
        return h @ p["w3"] + p["b3"]

    def loss_and_grads(p):
        leaves = {k: v.clone().requires_grad_(True) for k, v in p.items()}
        logits = forward(leaves)
        loss = torch.nn.functional.cross_entropy(logits, labels)
        grads = torch.autograd.grad(loss, [leaves[k] for k in names])
        return logits.detach(), loss.detach(), dict(zip(names, grads))

    def run(opt_ctor, steps):
        leaves = [params[k].clone().requires_grad_(True) for k in names]
        opt = opt_ctor(leaves)
        out = []
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            logits = torch.relu(x @ leaves[0] + leaves[1])
            logits = torch.relu(logits @ leaves[2] + leaves[3])
            loss = torch.nn.functional.cross_entropy(logits @ leaves[4] + leaves[5], labels)
            loss.backward()
            opt.step()
            out.append({k: t.detach().clone() for k, t in zip(names, leaves)})
        return out

    logits, loss, grads = loss_and_grads(params)
    sgd = run(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), 2)
    adam = run(lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8), 2)

    T = {"x": x, "labels": labels}
    T.update(params)
    T["logits"] = logits
    T["loss"] = loss
    T.update({"d" + k: v for k, v in grads.items()})
    for step in (1, 2):
        T.update({f"sgd.step{step}.{k}": v for k, v in sgd[step - 1].items()})
    T.update({f"adam.step2.{k}": v for k, v in adam[1].items()})
    T = {k: _store(v) for k, v in T.items()}
    desc = {
        "model": "mlp: logits = relu(relu(x @ w1 + b1) @ w2 + b2) @ w3 + b3; "
                 "loss = mean softmax cross-entropy(logits, labels)",
        "layout": "w is [in, out] (x @ w + b); PyTorch nn.Linear weight would be w.T",
        "init": "uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for w and b, seed 201",
        "inputs": "x [16,784] uniform [0,1); labels int32 [16] in 0..9",
        "gradients": "dw1..db3 = d loss / d param at the initial params (upstream gradient 1)",
        "sgd": "torch.optim.SGD(lr=0.05, momentum=0.9, dampening=0, nesterov=False); both steps "
               "on the same batch; sgd.stepN.<param> = params after N steps (momentum buffer = grad "
               "on the first step, buf = 0.9 buf + grad after)",
        "adam": "torch.optim.Adam(lr=1e-3, betas=(0.9,0.999), eps=1e-8, weight_decay=0), bias "
                "corrected; 2 steps on the same batch; adam.step2.<param> = params after 2 steps",
        "params": json.dumps(names),
    }
    meta = {"format": FORMAT, "group": "mlp_model", "generator": "tools/reference/gen_fixtures.py",
            "torch": torch.__version__,
            "precision": "computed in float64 from the stored float32 inputs/params, stored as float32"}
    meta.update(desc)
    return safetensors_bytes(T, meta)


# --------------------------------------------------------------------------- 1-D layers, decoder block

def _decoder_params(G, d, ff):
    """Ingot's transformer_decoder_block parameters (dense w is [in, out])."""
    P = {}
    for ln in ("ln1", "ln2", "ln3"):
        P[ln + ".gamma"] = G.uniform(0.7, 1.3, d)
        P[ln + ".beta"] = G.randn(d) * 0.1
    dims = [(a + "." + p, (d, d)) for a in ("self_attn", "cross_attn") for p in "qkvo"]
    for name, (i, o) in dims + [("ff.up", (d, ff)), ("ff.down", (ff, d))]:
        bound = 1 / math.sqrt(i)
        P[name + ".w"] = G.uniform(-bound, bound, i, o)
        P[name + ".b"] = G.uniform(-bound, bound, o)
    return P


# PyTorch's TransformerDecoderLayer parameter -> (Ingot parameter, how): "T" transposed, "q"/"k"/"v"
# rows of the packed in_proj (then transposed for weights)
_DECODER_MAP = [("norm1.weight", "ln1.gamma"), ("norm1.bias", "ln1.beta"), ("norm2.weight", "ln2.gamma"),
                ("norm2.bias", "ln2.beta"), ("norm3.weight", "ln3.gamma"), ("norm3.bias", "ln3.beta"),
                ("linear1.weight", "ff.up.w"), ("linear1.bias", "ff.up.b"),
                ("linear2.weight", "ff.down.w"), ("linear2.bias", "ff.down.b")]


def _decoder_torch(P, d, heads, ff):
    m = torch.nn.TransformerDecoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation="gelu",
                                         batch_first=True, norm_first=True).to(F64)
    with torch.no_grad():
        for mod, a in ((m.self_attn, "self_attn"), (m.multihead_attn, "cross_attn")):
            mod.in_proj_weight.copy_(torch.cat([P[a + ".q.w"].T, P[a + ".k.w"].T, P[a + ".v.w"].T]))
            mod.in_proj_bias.copy_(torch.cat([P[a + ".q.b"], P[a + ".k.b"], P[a + ".v.b"]]))
            mod.out_proj.weight.copy_(P[a + ".o.w"].T)
            mod.out_proj.bias.copy_(P[a + ".o.b"])
        tp = dict(m.named_parameters())
        for tn, n in _DECODER_MAP:
            tp[tn].copy_(P[n].T if n.endswith(".w") else P[n])
    m.train()
    return m


def _decoder_grads(m, d):
    """Ingot-named gradients from the torch module's parameter gradients."""
    tp = dict(m.named_parameters())
    g = {}
    for mod, a in (("self_attn", "self_attn"), ("multihead_attn", "cross_attn")):
        w, b = tp[mod + ".in_proj_weight"].grad, tp[mod + ".in_proj_bias"].grad
        for i, p in enumerate("qkv"):
            g[a + "." + p + ".w"] = w[i * d:(i + 1) * d].T
            g[a + "." + p + ".b"] = b[i * d:(i + 1) * d]
        g[a + ".o.w"] = tp[mod + ".out_proj.weight"].grad.T
        g[a + ".o.b"] = tp[mod + ".out_proj.bias"].grad
    for tn, n in _DECODER_MAP:
        g[n] = tp[tn].grad.T if n.endswith(".w") else tp[tn].grad
    return g


def g_seq_layers():
    G = Group("seq_layers", 141, "1-D layers over NCL signals: conv1d (y = F.conv1d(x, w), w [out, in/groups, k]; "
              "attrs stride, padding (a number or \"same\"), dilation, groups), max_pool1d / avg_pool1d "
              "(attrs kernel, stride (null = kernel), padding; avg: count_include_pad True; max: no ties), "
              "global_max_pool1d (amax over the length). Model section decoder.*: a pre-LN "
              "transformer decoder block (see the metadata key decoder)")
    for xs, ws, st, pad, dil, groups in [((2, 3, 10), (4, 3, 3), 1, 0, 1, 1),
                                         ((1, 4, 9), (6, 2, 3), 2, 1, 1, 2),
                                         ((2, 2, 12), (3, 2, 4), 1, "same", 1, 1),
                                         ((1, 2, 11), (2, 2, 3), 1, 2, 2, 1),
                                         ((2, 5, 6), (3, 5, 1), 1, 0, 1, 1)]:
        G.add("conv1d", {"x": G.randn(*xs), "w": G.randn(*ws) * 0.5},
              lambda x, w, st=st, pad=pad, dil=dil, groups=groups: F.conv1d(x, w, stride=st, padding=pad, dilation=dil, groups=groups),
              {"stride": st, "padding": pad, "dilation": dil, "groups": groups})
    for op, xs, k, st, pad in [("max_pool1d", (2, 3, 10), 2, None, 0), ("max_pool1d", (1, 2, 9), 3, 2, 1),
                               ("avg_pool1d", (2, 3, 10), 2, None, 0), ("avg_pool1d", (1, 2, 11), 3, 2, 1)]:
        x = _distinct(G, *xs) if op == "max_pool1d" else G.randn(*xs)
        fn = (lambda x, k=k, st=st, pad=pad: F.max_pool1d(x, k, stride=st, padding=pad)) if op == "max_pool1d" else \
             (lambda x, k=k, st=st, pad=pad: F.avg_pool1d(x, k, stride=st, padding=pad, count_include_pad=True))
        G.add(op, {"x": x}, fn, {"kernel": k, "stride": st, "padding": pad})
    G.add("global_max_pool1d", {"x": _distinct(G, 2, 3, 7)}, lambda x: torch.amax(x, dim=2), {})

    # ---- a pre-LN decoder block: causal self-attention, cross-attention with a key padding mask, FFN ----
    d, heads, ff, bsz, t, s, lengths = 8, 2, 16, 2, 4, 5, [5, 3]
    P = _decoder_params(G, d, ff)
    x, memory, dy = G.randn(bsz, t, d), G.randn(bsz, s, d), G.randn(bsz, t, d)
    m = _decoder_torch(P, d, heads, ff)
    xl, ml = x.clone().requires_grad_(True), memory.clone().requires_grad_(True)
    pad = torch.tensor([[i >= n for i in range(s)] for n in lengths])
    y = m(xl, ml, tgt_mask=_causal(t), memory_key_padding_mask=pad)
    (y * dy).sum().backward()
    grads = _decoder_grads(m, d)
    T = {"decoder.x": x, "decoder.memory": memory, "decoder.pad": pad.to(F64)}
    T.update({"decoder." + k: v for k, v in P.items()})
    T.update({"decoder.y": y.detach(), "decoder.dy": dy, "decoder.dx": xl.grad, "decoder.dmemory": ml.grad})
    T.update({"decoder.grad." + k: v for k, v in grads.items()})
    for k, v in T.items():
        G.tensors[k] = _store(v)
    G.meta_extra = {"decoder": json.dumps({
        "layer": f"transformer_decoder_block({d}, {heads}, {ff})", "x": [bsz, t, d], "memory": [bsz, s, d],
        "pad": "memory_key_padding_mask as 0/1 (1 = ignore), lengths " + str(lengths), "params": list(P),
        "torch": "nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0, activation='gelu', "
                 "batch_first=True, norm_first=True), train mode; tgt_mask = causal additive -inf mask",
        "mapping": "self_attn/cross_attn (= multihead_attn) .q/.k/.v.w = in_proj_weight rows .T, .o.w = out_proj.weight.T; "
                   "ff.up.w = linear1.weight.T, ff.down.w = linear2.weight.T; ln1/ln2/ln3 = norm1/norm2/norm3",
        "loss": "sum(y * dy)", "grads": "dx, dmemory, grad.<param>"}, separators=(",", ":"))}
    return G


GROUPS = [g_matmul, g_binary, g_unary, g_where, g_reduce, g_shape, g_softmax, g_loss,
          g_conv, g_pool, g_cnn_misc, g_rnn, g_transformer, g_seq_layers]


def build_all():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    files = {}
    for gfn in GROUPS:
        G = gfn()
        files[G.name + ".safetensors"] = G.payload()
    files["mlp_model.safetensors"] = mlp_model()
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--check", action="store_true", help="verify the files on disk are up to date")
    a = ap.parse_args()
    files = build_all()
    if a.check:
        bad = [n for n, b in files.items()
               if not os.path.exists(os.path.join(a.out, n)) or open(os.path.join(a.out, n), "rb").read() != b]
        print("fixtures up to date" if not bad else f"stale fixtures: {bad}")
        return 1 if bad else 0
    os.makedirs(a.out, exist_ok=True)
    total = 0
    for n, b in files.items():
        with open(os.path.join(a.out, n), "wb") as f:
            f.write(b)
        t, meta = read_safetensors(os.path.join(a.out, n))  # round-trip check
        total += len(b)
        print(f"{n:28s} {len(b):9d} bytes  {len(t):4d} tensors  {meta.get('num_cases', '-'):>4s} cases")
    print(f"total {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
