#!/usr/bin/python3
"""Generate PyTorch reference fixtures for Ingot's foundation ops and the mlp workload.

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

    def add(self, op, inputs: dict, fn, attrs=None, differentiable=None, extra=None):
        """inputs: name -> float64 tensor (or int tensor for labels). fn(**inputs) -> output.
        Gradients are computed wrt every float input in `differentiable` (default: all floats)."""
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
        self.cases.append({
            "op": op, "attrs": attrs,
            "inputs": list(inputs), "extra": list(extra or {}),
            "output": "y_out", "dy": "dy", "grads": grad_names,
            "shapes": {k: list(v.shape) for k, v in inputs.items()} | {"y_out": list(y.shape)},
        })

    def payload(self):
        meta = {"format": FORMAT, "group": self.name, "description": self.description,
                "num_cases": str(len(self.cases)),
                "generator": "tools/reference/gen_fixtures.py", "torch": torch.__version__,
                "precision": "computed in float64 from the stored float32 inputs, stored as float32"}
        for i, c in enumerate(self.cases):
            meta[f"case{i}"] = json.dumps(c, separators=(",", ":"))
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


GROUPS = [g_matmul, g_binary, g_unary, g_where, g_reduce, g_shape, g_softmax, g_loss]


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
