#!/usr/bin/python3
"""PyTorch -> Ingot: write a PyTorch model's weights as an Ingot checkpoint.

    /usr/bin/python3 tools/interop/export.py MODEL OUT.safetensors [--seed S] [--init torch|ingot] [--inputs IN.safetensors]
                                             [--train-steps K] [--state-dict SD.pt] [--io IO.safetensors] [--n N]

MODEL is mnist_mlp, mnist_cnn or char_lstm (or mlp, cnn, lstm). The PyTorch twin (tools/twins/twins.py)
is initialized from --seed (PyTorch's default initialization of each module, or Ingot's initializers
with --init ingot) or loaded from a state_dict saved with torch.save (--state-dict), then optionally
trained for --train-steps steps (examples.train: the example's optimizer on MNIST training images /
tiny Shakespeare). OUT gets its weights under Ingot's parameter names and layouts (see
README.md), F32, with metadata format=pt, model=<Ingot model name>; it loads with
CompiledModel.load into a model compiled without training (or Checkpoint.load(path, model, true)
into one with an optimizer).

A second file (--io; default OUT with "-io.safetensors" for ".safetensors") holds the test
inputs and labels under Ingot's input names, and PyTorch's outputs for them under Ingot's output
names: `pixels` (or `ids`), `digit` (or `next`), `logits`. The inputs are the first --n MNIST test
images or --n windows of tiny Shakespeare from dsl-examples/data, or those of --inputs (any
safetensors file holding tensors named like the model's inputs, e.g. another -io file).
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


def io_path(out: str) -> str:
    return (out[:-len(".safetensors")] if out.endswith(".safetensors") else out) + "-io.safetensors"


def read_inputs(m: examples.Model, path: str):
    tensors, _ = stio.load(path)
    missing = [k for k in m.inputs if k not in tensors]
    if missing:
        raise SystemExit(f"{path}: no input tensor {missing} for {m.key} (has {list(tensors)})")
    inputs = {k: tensors[k] for k in m.inputs}
    labels = {k: tensors[k] for k in m.labels if k in tensors}
    return inputs, labels


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0, help="torch.manual_seed before building the model (default 0)")
    ap.add_argument("--init", choices=["torch", "ingot"], default="torch",
                    help="initializers: PyTorch's defaults (default) or Ingot's (Glorot-uniform dense and conv weights, zero biases)")
    ap.add_argument("--state-dict", help="load these PyTorch weights (torch.save(model.state_dict())) instead of a fresh init")
    ap.add_argument("--train-steps", type=int, default=0, help="train this many steps before exporting (default 0)")
    ap.add_argument("--train-batch", type=int, default=32, help="batch size of those steps (default 32)")
    ap.add_argument("--inputs", help="take the test inputs from this safetensors file")
    ap.add_argument("--n", type=int, help="number of default test inputs (8 images, 4 sequences)")
    ap.add_argument("--io", help="where to write inputs + PyTorch outputs (default OUT-io.safetensors)")
    a = ap.parse_args(argv)

    m = examples.get(a.model)
    torch.set_num_threads(1)
    net = examples.build(m, a.seed, a.init)
    if a.state_dict:
        net.load_state_dict(torch.load(a.state_dict, map_location="cpu"), strict=True)
    losses = examples.train(m, net, a.train_steps, a.train_batch, a.seed)
    weights = twins.ingot_state(net)
    meta = {"format": "pt", "model": m.ingot_name, "exporter": "tools/interop/export.py",
            "torch": torch.__version__, "init": f"state_dict {os.path.basename(a.state_dict)}" if a.state_dict else f"seed {a.seed}" + (", Ingot's initializers" if a.init == "ingot" else "")}
    if losses:
        meta["training"] = f"{len(losses)} steps of {a.train_batch}, loss {losses[0]:.4f} -> {losses[-1]:.4f}"
    stio.save(a.out, weights, meta)

    if a.inputs:
        inputs, labels = read_inputs(m, a.inputs)
    else:
        inputs, labels = m.default_inputs(a.n or m.default_n)
    outputs = examples.run(m, net, inputs)
    io = a.io or io_path(a.out)
    stio.save(io, {**inputs, **labels, **outputs},
              {"model": m.ingot_name, "weights": os.path.basename(a.out), "outputs_by": f"torch {torch.__version__}"})
    n = sum(t.numel() for t in weights.values())
    if losses:
        print(f"{m.key}: trained {len(losses)} steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    for name, y in outputs.items():
        msg = f"{m.key}: PyTorch {name} {list(y.shape)}, max |value| {y.abs().max().item():.3g}"
        if labels:
            lab = next(iter(labels.values())).long().reshape(-1)
            acc = (y.reshape(-1, y.shape[-1]).argmax(1) == lab).float().mean().item()
            msg += f", accuracy on the labels {acc:.0%}"
        print(msg)
    print(f"{m.key}: {len(weights)} tensors, {n} floats -> {a.out}; "
          f"{next(iter(inputs.values())).shape[0]} inputs + PyTorch {', '.join(outputs)} -> {io}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
