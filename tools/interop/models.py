"""PyTorch twins of Ingot's example models, the name mapping between their parameters, and the
test inputs used by the interop fixtures.

Each twin computes exactly what its .ingot file computes in `predict` (same layers, same input
preprocessing, dropout inactive in eval mode). PyTorch modules are named after the Ingot layers,
so the mapping is mostly `.weight` -> `.w` (dense: transposed) and `.bias` -> `.b`; every model's
mapping is one table below (MAPPINGS) and README.md lists it with the shapes.

Run with /usr/bin/python3 (the interpreter that has torch 1.13).
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EXAMPLES = os.path.join(REPO, "dsl-examples")

# MNIST's mean and std, as in mnist_mlp.ingot / mnist_cnn.ingot: x = (pixels - 0.1307) / 0.3081
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


# --------------------------------------------------------------------------- models

class MnistMlp(nn.Module):
    """dsl-examples/mnist_mlp.ingot: standardize, 784 -> 256 relu -> 128 relu -> 10 (logits)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, pixels):                    # [batch, 784] in [0, 1]
        x = (pixels - MNIST_MEAN) / MNIST_STD
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)                        # logits [batch, 10]


class MnistCnn(nn.Module):
    """dsl-examples/mnist_cnn.ingot: standardize, conv 3x3x32 relu, conv 3x3x64 relu, max pool 2,
    dropout .25, flatten in NCHW order (C, H, W: Ingot's flatten), dense 128 relu, dropout .5,
    dense 10. (Not the Keras H, W, C flatten of benchmarks/pytorch/workloads.py.)"""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.drop2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, pixels):                    # [batch, 1, 28, 28] in [0, 1]
        x = (pixels - MNIST_MEAN) / MNIST_STD
        x = F.relu(self.conv1(x))                 # [batch, 32, 26, 26]
        x = F.relu(self.conv2(x))                 # [batch, 64, 24, 24]
        x = F.max_pool2d(x, 2)                    # [batch, 64, 12, 12]
        x = self.drop1(x)
        x = x.flatten(1)                          # [batch, 9216], channel-major
        x = F.relu(self.fc1(x))
        x = self.drop2(x)
        return self.fc2(x)                        # logits [batch, 10]


class CharLstm(nn.Module):
    """dsl-examples/char_lstm.ingot: embedding 65x64, LSTM 256 over all 64 steps (zero initial
    state), dense 65 at every step."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(65, 64)
        self.rec = nn.LSTM(64, 256, batch_first=True)
        self.out = nn.Linear(256, 65)

    def forward(self, ids):                       # [batch, 64] integer ids
        h, _ = self.rec(self.emb(ids.long()))     # [batch, 64, 256]
        return self.out(h)                        # logits [batch, 64, 65]


# --------------------------------------------------------------------------- name mapping
# (Ingot name, PyTorch state_dict name, transform): "T" = transpose (Ingot's dense stores
# [n_in, n_out], nn.Linear.weight is [out, in]); "" = same layout.

MAPPINGS: Dict[str, List[Tuple[str, str, str]]] = {
    "mnist_mlp": [
        ("fc1.w", "fc1.weight", "T"),
        ("fc1.b", "fc1.bias", ""),
        ("fc2.w", "fc2.weight", "T"),
        ("fc2.b", "fc2.bias", ""),
        ("out.w", "out.weight", "T"),
        ("out.b", "out.bias", ""),
    ],
    "mnist_cnn": [
        ("conv1.w", "conv1.weight", ""),
        ("conv1.b", "conv1.bias", ""),
        ("conv2.w", "conv2.weight", ""),
        ("conv2.b", "conv2.bias", ""),
        ("fc1.w", "fc1.weight", "T"),
        ("fc1.b", "fc1.bias", ""),
        ("fc2.w", "fc2.weight", "T"),
        ("fc2.b", "fc2.bias", ""),
    ],
    "char_lstm": [
        ("emb.weight", "emb.weight", ""),
        ("rec.weight_ih", "rec.weight_ih_l0", ""),     # [4H, in], gates i, f, g, o in both
        ("rec.weight_hh", "rec.weight_hh_l0", ""),
        ("rec.bias_ih", "rec.bias_ih_l0", ""),
        ("rec.bias_hh", "rec.bias_hh_l0", ""),
        ("out.w", "out.weight", "T"),
        ("out.b", "out.bias", ""),
    ],
}

# Checkpoint tensors that are not weights: optimizer state and the dropout RNG's state.
IGNORED_PREFIXES = ("opt.", "rng.")


def to_torch_layout(t: torch.Tensor, transform: str) -> torch.Tensor:
    return t.t().contiguous() if transform == "T" else t.contiguous()


def to_ingot_layout(t: torch.Tensor, transform: str) -> torch.Tensor:
    return t.t().contiguous() if transform == "T" else t.contiguous()   # a transpose is its own inverse


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
    key: str                       # file stem of the example: mnist_mlp, mnist_cnn, char_lstm
    ingot_name: str                # the `model` name in the .ingot file (checkpoint metadata "model")
    build: Callable[[], nn.Module]
    inputs: List[str]              # Ingot input names, in forward() argument order
    labels: List[str]
    outputs: List[str]
    default_inputs: Callable[[int], tuple]   # n -> (inputs dict, labels dict)
    default_n: int

    @property
    def mapping(self):
        return MAPPINGS[self.key]


MODELS: Dict[str, Model] = {
    "mnist_mlp": Model("mnist_mlp", "MnistMlp", MnistMlp, ["pixels"], ["digit"], ["logits"],
                       lambda n: _mnist(n, (784,)), 8),
    "mnist_cnn": Model("mnist_cnn", "MnistCnn", MnistCnn, ["pixels"], ["digit"], ["logits"],
                       lambda n: _mnist(n, (1, 28, 28)), 8),
    "char_lstm": Model("char_lstm", "CharLstm", CharLstm, ["ids"], ["next"], ["logits"], _shakespeare, 4),
}
ALIASES = {"mlp": "mnist_mlp", "cnn": "mnist_cnn", "lstm": "char_lstm"}


def get(name: str) -> Model:
    key = ALIASES.get(name, name)
    if key.endswith(".ingot"):
        key = os.path.basename(key)[:-len(".ingot")]
    if key not in MODELS:
        raise SystemExit(f"unknown model '{name}'; one of {', '.join(MODELS)} (or {', '.join(ALIASES)})")
    return MODELS[key]


def build(m: Model, seed: int) -> nn.Module:
    """The PyTorch model with PyTorch's default initialization drawn from `seed`, in eval mode."""
    torch.manual_seed(seed)
    net = m.build()
    net.eval()
    return net


@torch.no_grad()
def run(m: Model, net: nn.Module, inputs: dict) -> dict:
    net.eval()
    y = net(*[inputs[k] for k in m.inputs])
    ys = y if isinstance(y, (tuple, list)) else (y,)
    return {name: t.float().contiguous() for name, t in zip(m.outputs, ys)}
