#!/usr/bin/python3
"""Checks that each PyTorch twin computes what its Ingot example computes (run by check_twins.sh).

    /usr/bin/python3 tools/twins/check_twins.py inputs DIR [--batch 3] [EXAMPLE...]
    /usr/bin/python3 tools/twins/check_twins.py compare DIR [--tol 1e-4] [EXAMPLE...]

`inputs` writes DIR/X.inputs.safetensors for every example X (default: all twins): random inputs of
the example's shapes under Ingot's input names (pixels uniform in [0, 1), token ids uniform over the
vocabulary). The Java test TwinsOutputsTest#writeIngotOutputs then saves Ingot's initial weights
(X.ingot.safetensors) and Ingot's outputs on those inputs (X.ingot-io.safetensors). `compare` loads
those weights into the twin through twins.mapping (every parameter must be there, with its Ingot
shape) and compares every output in eval mode: the maximum absolute difference, and exit status 1
if one is above --tol. It also checks that the twin's init="ingot" draws each parameter like
Ingot's initialization (constants exactly, the spread of random tensors within 20%).
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
import stio   # noqa: E402
import twins  # noqa: E402

def write_inputs(ex: twins.Example, path: str, batch: int, seed: int) -> None:
    tensors = {k: t.int() if not t.is_floating_point() else t for k, t in twins.sample_inputs(ex, batch, seed).items()}
    stio.save(path, tensors, {"model": ex.model, "by": "tools/twins/check_twins.py"})


def same_init(ex: twins.Example, ingot_initial: dict):
    """Whether twins.build(init="ingot") draws every parameter like Ingot's initialize: constants
    (zeros, ones) exactly, random tensors of 100+ values with a standard deviation within 20%."""
    mine = twins.ingot_state(twins.build(ex, 0))
    notes = []
    for k, t in ingot_initial.items():
        m = mine[k]
        if t.min() == t.max():
            if not torch.equal(m, t):
                notes.append(f"{k} is constant {t.flatten()[0].item():g} in Ingot")
        elif t.numel() >= 100 and not 0.8 <= m.std().item() / t.std().item() <= 1.25:
            notes.append(f"{k} std {m.std().item():.3g} vs Ingot's {t.std().item():.3g}")
    return not notes, notes


def compare(ex: twins.Example, d: str, tol: float) -> bool:
    weights, meta = stio.load(os.path.join(d, ex.stem + ".ingot.safetensors"))
    io, _ = stio.load(os.path.join(d, ex.stem + ".ingot-io.safetensors"))
    net = ex.twin().eval()
    rows = twins.mapping(net)
    sd = net.state_dict()
    missing = [i for i, _, _ in rows if i not in weights]
    extra = sorted(set(weights) - {i for i, _, _ in rows})
    wrong = [f"{i} {list(weights[i].shape)} vs {list(twins.to_ingot_layout(sd[t], tr).shape)}"
             for i, t, tr in rows if i in weights and list(weights[i].shape) != list(twins.to_ingot_layout(sd[t], tr).shape)]
    if missing or extra or wrong:
        print(f"{ex.stem}: FAIL names/shapes: missing {missing}, not in the twin {extra}, other shapes {wrong}")
        return False
    init_ok, init_notes = same_init(ex, weights)
    net.load_state_dict(twins.torch_state(net, weights), strict=True)
    with torch.no_grad():
        ys = twins.predict(net, *[io[k] for k in ex.inputs])
    ok = init_ok
    parts = [] if init_ok else [f"initialization differs: {', '.join(init_notes)}"]
    for name, y in zip(ex.outputs, ys):
        ref = io[name].float()
        if list(ref.shape) != list(y.shape):
            parts.append(f"{name}: Ingot {list(ref.shape)}, twin {list(y.shape)}")
            ok = False
            continue
        diff = (y.float() - ref).abs().max().item()
        ok = ok and diff <= tol
        parts.append(f"{name} {list(y.shape)} max |twin - Ingot| {diff:.3g} (max |value| {ref.abs().max().item():.3g})")
    print(f"{ex.stem:18s} {len(rows):3d} tensors  " + "; ".join(parts) + ("  OK" if ok else "  FAIL"))
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["inputs", "compare"])
    ap.add_argument("dir")
    ap.add_argument("examples", nargs="*", help="file stems (default: every twin)")
    ap.add_argument("--batch", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    exs = [twins.example(e) for e in a.examples] or list(twins.EXAMPLES.values())
    if a.mode == "inputs":
        os.makedirs(a.dir, exist_ok=True)
        for ex in exs:
            write_inputs(ex, os.path.join(a.dir, ex.stem + ".inputs.safetensors"), a.batch, a.seed)
        print(f"inputs of {len(exs)} examples (batch {a.batch}) -> {a.dir}")
        return 0
    results = [compare(ex, a.dir, a.tol) for ex in exs]
    print(f"{sum(results)} of {len(results)} twins match Ingot within {a.tol:g}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
