"""The examples the interop scripts handle: their PyTorch twin and Ingot names (tools/twins/twins.py,
which also gives the name mapping to Ingot's checkpoint names), the test inputs of the fixtures and
a short PyTorch training run.

Run with /usr/bin/python3 (the interpreter that has torch 1.13).
"""
from __future__ import annotations

import gzip
import os
import sys
from dataclasses import dataclass
from typing import Callable, Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EXAMPLES = os.path.join(REPO, "dsl-examples")
sys.path.insert(0, os.path.join(REPO, "tools", "twins"))
import twins  # noqa: E402

# Checkpoint tensors that are not weights: optimizer state and the dropout RNG's state.
IGNORED_PREFIXES = ("opt.", "rng.")


# --------------------------------------------------------------------------- test inputs

def _mnist(n: int, image_shape):
    d = os.path.join(EXAMPLES, "data", "mnist")
    with gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz")) as f:
        raw = f.read(16 + n * 784)[16:]
    with gzip.open(os.path.join(d, "t10k-labels-idx1-ubyte.gz")) as f:
        labels = f.read(8 + n)[8:]
    pixels = torch.tensor(list(raw), dtype=torch.float32).reshape(n, *image_shape) / 255.0
    return {"pixels": pixels}, {"digit": torch.tensor(list(labels), dtype=torch.int32)}


def _shakespeare(n: int):
    """n windows of tiny Shakespeare, ids as Ingot's chars() dataset numbers them (the sorted
    distinct characters of the whole file); next = the following character."""
    with open(os.path.join(EXAMPLES, "data", "tinyshakespeare", "input.txt"), encoding="utf-8") as f:
        text = f.read()
    vocab = {c: i for i, c in enumerate(sorted(set(text)))}
    assert len(vocab) == 65, len(vocab)
    ids, nxt = [], []
    for k in range(n):
        start = 1000 + 25_000 * k
        w = [vocab[c] for c in text[start:start + 65]]
        ids.append(w[:64])
        nxt.append(w[1:])
    return {"ids": torch.tensor(ids, dtype=torch.int32)}, {"next": torch.tensor(nxt, dtype=torch.int32)}


def _mnist_train(n: int, image_shape, offset: int = 0):
    d = os.path.join(EXAMPLES, "data", "mnist")
    with gzip.open(os.path.join(d, "train-images-idx3-ubyte.gz")) as f:
        raw = f.read(16 + (offset + n) * 784)[16 + offset * 784:]
    with gzip.open(os.path.join(d, "train-labels-idx1-ubyte.gz")) as f:
        labels = f.read(8 + offset + n)[8 + offset:]
    pixels = torch.tensor(list(raw), dtype=torch.float32).reshape(n, *image_shape) / 255.0
    return {"pixels": pixels}, {"digit": torch.tensor(list(labels), dtype=torch.int64)}


def _shakespeare_train(n: int, seed: int):
    with open(os.path.join(EXAMPLES, "data", "tinyshakespeare", "input.txt"), encoding="utf-8") as f:
        text = f.read()
    vocab = {c: i for i, c in enumerate(sorted(set(text)))}
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(100_000, len(text) - 65, (n,), generator=g).tolist()   # the test windows lie before 100,000
    w = torch.tensor([[vocab[c] for c in text[s:s + 65]] for s in starts], dtype=torch.int64)
    return {"ids": w[:, :64]}, {"next": w[:, 1:]}


def train(m: "Model", net: nn.Module, steps: int, batch: int, seed: int) -> List[float]:
    """A short PyTorch training run with the optimizer of the .ingot train block (constant learning
    rate), on MNIST training images or random windows of tiny Shakespeare, so that exported weights
    are trained ones (larger, more confident logits than a fresh initialization). Leaves eval mode."""
    if steps <= 0:
        return []
    if m.key == "char_lstm":
        inputs, labels = _shakespeare_train(steps * batch, seed)
    else:
        inputs, labels = _mnist_train(steps * batch, (784,) if m.key == "mnist_mlp" else (1, 28, 28))
    opt = (torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9) if m.key == "mnist_mlp"
           else torch.optim.Adam(net.parameters(), lr=1e-3))
    net.train()
    losses = []
    for s in range(steps):
        sl = slice(s * batch, (s + 1) * batch)
        y = net(*[inputs[k][sl] for k in m.inputs])
        target = labels[m.labels[0]][sl]
        loss = F.cross_entropy(y.reshape(-1, y.shape[-1]), target.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    net.eval()
    return losses


@dataclass(frozen=True)
class Model:
    example: twins.Example                   # the .ingot file, its names and its PyTorch twin
    default_inputs: Callable[[int], tuple]   # n -> (inputs dict, labels dict)
    default_n: int

    key = property(lambda self: self.example.stem)          # file stem: mnist_mlp, mnist_cnn, char_lstm
    ingot_name = property(lambda self: self.example.model)  # the `model` name (checkpoint metadata "model")
    inputs = property(lambda self: list(self.example.inputs))
    labels = property(lambda self: list(self.example.labels))
    outputs = property(lambda self: list(self.example.outputs))


MODELS: Dict[str, Model] = {m.key: m for m in [
    Model(twins.EXAMPLES["mnist_mlp"], lambda n: _mnist(n, (784,)), 8),
    Model(twins.EXAMPLES["mnist_cnn"], lambda n: _mnist(n, (1, 28, 28)), 8),
    Model(twins.EXAMPLES["char_lstm"], _shakespeare, 4),
]}
ALIASES = {"mlp": "mnist_mlp", "cnn": "mnist_cnn", "lstm": "char_lstm"}


def get(name: str) -> Model:
    key = ALIASES.get(name, name)
    if key.endswith(".ingot"):
        key = os.path.basename(key)[:-len(".ingot")]
    if key not in MODELS:
        raise SystemExit(f"unknown model '{name}'; one of {', '.join(MODELS)} (or {', '.join(ALIASES)})")
    return MODELS[key]


def build(m: Model, seed: int, init: str = "torch") -> nn.Module:
    """The twin with parameters drawn from `seed` (PyTorch's default initialization of each module, or
    Ingot's initializers with init="ingot"), in eval mode."""
    net = twins.build(m.example, seed, init)
    net.eval()
    return net


@torch.no_grad()
def run(m: Model, net: nn.Module, inputs: dict) -> dict:
    net.eval()
    ys = twins.predict(net, *[inputs[k] for k in m.inputs])
    return {name: t.float().contiguous() for name, t in zip(m.outputs, ys)}
