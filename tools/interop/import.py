#!/usr/bin/python3
"""Ingot -> PyTorch: load an Ingot checkpoint into the PyTorch twin of the model and run it.

    /usr/bin/python3 tools/interop/import.py MODEL IN.safetensors [--inputs IO.safetensors] [--out OUT.safetensors]
                                             [--tol 1e-4] [--save-state-dict SD.pt]

MODEL is mnist_mlp, mnist_cnn or char_lstm (or mlp, cnn, lstm). IN is a checkpoint written by
Ingot (CompiledModel.save, `ingot train --save`) or by export.py. Optimizer state (`opt.*`) and the
dropout RNG's state (`rng.*`) are ignored; every parameter must be present with its Ingot shape and
no other tensor may be there, else the script fails naming the tensor(s) and both shapes.

--inputs (default: IN with "-io.safetensors" for ".safetensors", if that exists) holds the inputs
under Ingot's names. If it also holds outputs (e.g. Ingot's `logits`), PyTorch's are compared
with them: the maximum absolute difference is printed and the exit status is 1 above --tol.
--out writes the inputs and PyTorch's outputs; --save-state-dict writes the PyTorch state_dict
(torch.save), ready for model.load_state_dict.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import examples  # noqa: E402
from examples import twins  # noqa: E402
import stio  # noqa: E402


class MismatchError(Exception):
    pass


def shape_str(s) -> str:
    return "[" + ", ".join(str(d) for d in s) + "]"


def torch_state_dict(m: examples.Model, path: str, tensors: dict, meta: dict) -> dict:
    """Maps a checkpoint's tensors to the PyTorch twin's state_dict, checking names and shapes first."""
    expected = {}   # ingot name -> (shape in Ingot's layout, torch name, transform)
    net = examples.build(m, 0)
    ref = net.state_dict()
    for ingot, tname, transform in twins.mapping(net):
        tshape = list(ref[tname].shape)
        expected[ingot] = (tshape[::-1] if transform == "T" else tshape, tname, transform)
    saved = meta.get("model")
    other = f" (it was saved from model '{saved}')" if saved and saved != m.ingot_name else ""
    weights = {k: v for k, v in tensors.items() if not k.startswith(examples.IGNORED_PREFIXES)}
    unexpected = [f"'{k}' {shape_str(v.shape)}" for k, v in weights.items() if k not in expected]
    missing = [f"'{k}' {shape_str(s)}" for k, (s, _, _) in expected.items() if k not in weights]
    if unexpected or missing:
        wrong = [f"'{k}' {shape_str(v.shape)} where the model has {shape_str(expected[k][0])}"
                 for k, v in weights.items() if k in expected and list(v.shape) != expected[k][0]]
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) \
            + ([f"other shapes: {', '.join(wrong)}"] if wrong else [])
        raise MismatchError(f"checkpoint {path} does not match model '{m.ingot_name}'{other}: {'; '.join(parts)}")
    for k, (shape, tname, transform) in expected.items():
        got = list(weights[k].shape)
        if got != shape:
            hint = " (PyTorch's layout; Ingot's dense stores the transpose)" if transform == "T" and got == shape[::-1] else ""
            raise MismatchError(f"checkpoint {path}: tensor '{k}': checkpoint has {shape_str(got)}, model expects "
                                f"{shape_str(shape)}{hint}{other}")
        if not weights[k].is_floating_point():
            raise MismatchError(f"checkpoint {path}: tensor '{k}' has dtype {weights[k].dtype}, expected a float type")
    return {tname: twins.to_torch_layout(weights[k].float(), transform) for k, (_, tname, transform) in expected.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("checkpoint")
    ap.add_argument("--inputs", help="inputs (and optionally outputs to compare with); default IN-io.safetensors")
    ap.add_argument("--out", help="write the inputs and PyTorch's outputs here")
    ap.add_argument("--tol", type=float, default=1e-4, help="largest accepted absolute difference (default 1e-4)")
    ap.add_argument("--save-state-dict", help="torch.save the PyTorch state_dict here")
    a = ap.parse_args(argv)

    m = examples.get(a.model)
    torch.set_num_threads(1)
    tensors, meta = stio.load(a.checkpoint)
    try:
        sd = torch_state_dict(m, a.checkpoint, tensors, meta)
    except MismatchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    net = examples.build(m, 0)
    net.load_state_dict(sd, strict=True)
    ignored = [k for k in tensors if k.startswith(examples.IGNORED_PREFIXES)]
    print(f"{m.key}: loaded {len(sd)} tensors from {a.checkpoint}" + (f", ignored {len(ignored)} optimizer/rng tensors" if ignored else ""))
    if a.save_state_dict:
        torch.save(net.state_dict(), a.save_state_dict)
        print(f"  state_dict -> {a.save_state_dict}")

    inputs_path = a.inputs
    if inputs_path is None:
        guess = (a.checkpoint[:-len(".safetensors")] if a.checkpoint.endswith(".safetensors") else a.checkpoint) + "-io.safetensors"
        inputs_path = guess if os.path.exists(guess) else None
    if inputs_path is None:
        return 0
    io, _ = stio.load(inputs_path)
    missing = [k for k in m.inputs if k not in io]
    if missing:
        print(f"error: {inputs_path}: no input tensor {missing}", file=sys.stderr)
        return 2
    inputs = {k: io[k] for k in m.inputs}
    outputs = examples.run(m, net, inputs)
    status = 0
    for name, y in outputs.items():
        if name not in io:
            continue
        ref = io[name].float()
        if list(ref.shape) != list(y.shape):
            print(f"  {name}: {inputs_path} has {shape_str(ref.shape)}, PyTorch gives {shape_str(y.shape)}")
            status = 1
            continue
        diff = (y - ref).abs().max().item()
        agree = (y.reshape(-1, y.shape[-1]).argmax(1) == ref.reshape(-1, ref.shape[-1]).argmax(1)).float().mean().item()
        ok = diff <= a.tol
        print(f"  {name} {shape_str(y.shape)}: max |PyTorch - {os.path.basename(inputs_path)}| = {diff:.3g} "
              f"(max |value| {ref.abs().max().item():.3g}, argmax agreement {agree:.0%}) {'OK' if ok else 'FAIL'} (tol {a.tol:g})")
        status = status or (0 if ok else 1)
    if a.out:
        stio.save(a.out, {**inputs, **outputs}, {"model": m.ingot_name, "weights": os.path.basename(a.checkpoint),
                                                 "outputs_by": f"torch {torch.__version__}"})
        print(f"  inputs + PyTorch outputs -> {a.out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
