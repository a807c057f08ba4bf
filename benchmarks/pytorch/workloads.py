"""The nine Ingot reference workloads (see /work/shared/WORKLOADS.md) in PyTorch.

The models are the PyTorch twins of the examples that `bin/ingot bench` runs (tools/twins/twins.py,
the file of each workload in benchmarks/workloads.sh); this file adds what only the benchmark needs.
Each workload is a `Workload` with:
  - make_model()            -> the twin (float32, Ingot's initializers drawn from a fixed seed)
  - make_optimizer(model)   -> torch.optim.Optimizer of the example's train block (foreach implementation)
  - make_data(batch, n)     -> list of n (inputs_tuple, target) batches, random but shaped, fixed seed
  - loss(model, inputs, target) -> scalar loss (training forward)
  - clip                    -> the example's gradient clipping (max global norm; 0 = none)
  - train_step(model, opt, inputs, target) -> one training step (zero_grad, loss, backward, clip, step)
  - infer(model, inputs)    -> every output of the example's predict, used under no_grad + eval
  - fwd_flops               -> approximate multiply-add FLOPs (x2) of one example's forward pass
                               (matmuls/convs only), used to print an approximate GFLOP/s.

Run with /usr/bin/python3 (the interpreter that has torch 1.13).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "twins"))
import twins  # noqa: E402

SEED = 1234


# --------------------------------------------------------------------------- workloads

@dataclass
class Workload:
    name: str
    example_file: str
    batch: int
    make_model: Callable[[], nn.Module]
    make_optimizer: Callable[[nn.Module], torch.optim.Optimizer]
    make_data: Callable[[int, int], List[Tuple[tuple, torch.Tensor]]]
    loss: Callable[[nn.Module, tuple, torch.Tensor], torch.Tensor]
    infer: Callable[[nn.Module, tuple], tuple]
    fwd_flops: float
    clip: float = 0.0

    def train_step(self, model, opt, inputs, target):
        opt.zero_grad(set_to_none=True)
        loss = self.loss(model, inputs, target)
        loss.backward()
        if self.clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), self.clip)
        opt.step()
        return loss


def _gen(seed_offset=0):
    return torch.Generator().manual_seed(SEED + seed_offset)


def _mnist_flat(batch, n):
    g = _gen(1)
    return [((torch.rand(batch, 784, generator=g),), torch.randint(0, 10, (batch,), generator=g))
            for _ in range(n)]


def _mnist_img(batch, n):
    g = _gen(2)
    return [((torch.rand(batch, 1, 28, 28, generator=g),), torch.randint(0, 10, (batch,), generator=g))
            for _ in range(n)]


def _ae_data(batch, n):
    g = _gen(3)
    out = []
    for _ in range(n):
        x = torch.rand(batch, 784, generator=g)
        out.append(((x,), x))
    return out


def _char_data(batch, n, vocab=65, seq=64):
    g = _gen(4)
    out = []
    for _ in range(n):
        s = torch.randint(0, vocab, (batch, seq + 1), generator=g)
        out.append(((s[:, :-1].contiguous(),), s[:, 1:].contiguous()))
    return out


def _bilstm_data(batch, n):
    g = _gen(5)
    return [((torch.randint(0, 1000, (batch, 100), generator=g),), torch.randint(0, 2, (batch,), generator=g))
            for _ in range(n)]


def _seq2seq_data(batch, n, vocab=32, src_len=20, tgt_len=20):
    g = _gen(6)
    out = []
    for _ in range(n):
        src = torch.randint(1, vocab, (batch, src_len), generator=g)
        tgt = torch.randint(1, vocab, (batch, tgt_len), generator=g)
        tgt_in = torch.cat([torch.zeros(batch, 1, dtype=torch.long), tgt[:, :-1]], dim=1)  # BOS = 0
        out.append(((src, tgt_in), tgt))
    return out


def _ce(model, inputs, target):
    return F.cross_entropy(model(*inputs), target)


def _ce_seq(model, inputs, target):
    logits = model(*inputs)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


def _mse(model, inputs, target):
    return F.mse_loss(model(*inputs), target)


def _infer(model, inputs):
    return twins.predict(model, *inputs)     # all outputs: seq2seq's predict also decodes greedily


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, foreach=True)


def _adam(model, lr=1e-3):
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, foreach=True)


def _adam3(model):
    return _adam(model, lr=3e-3)             # seq2seq.ingot's adam(lr = 3e-3)


def _adamw(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, foreach=True)


def _seeded(twin):
    return lambda: twins.build(twin, SEED)


def _rnn_flops(gates, inp, hidden, seq, vocab):
    return seq * (2 * gates * (inp * hidden + hidden * hidden) + 2 * hidden * vocab)


WORKLOADS = {
    "mlp": Workload("mlp", "mnist_mlp.ingot", 128, _seeded(twins.MnistMlp), _sgd, _mnist_flat, _ce, _infer,
                    2 * (784 * 256 + 256 * 128 + 128 * 10)),
    "cnn": Workload("cnn", "mnist_cnn.ingot", 64, _seeded(twins.MnistCnn), _adam, _mnist_img, _ce, _infer,
                    2 * (26 * 26 * 32 * 9 + 24 * 24 * 64 * 32 * 9 + 9216 * 128 + 128 * 10)),
    "rnn": Workload("rnn", "char_rnn.ingot", 32, _seeded(twins.CharRnn), _adam, _char_data,
                    _ce_seq, _infer, _rnn_flops(1, 64, 256, 64, 65)),
    "lstm": Workload("lstm", "char_lstm.ingot", 32, _seeded(twins.CharLstm), _adam, _char_data,
                     _ce_seq, _infer, _rnn_flops(4, 64, 256, 64, 65)),
    "gru": Workload("gru", "char_gru.ingot", 32, _seeded(twins.CharGru), _adam, _char_data,
                    _ce_seq, _infer, _rnn_flops(3, 64, 256, 64, 65)),
    "bilstm": Workload("bilstm", "sentiment_bilstm.ingot", 32, _seeded(twins.SentimentBiLstm), _adam,
                       _bilstm_data, _ce, _infer,
                       2 * _rnn_flops(4, 64, 128, 100, 0) + 2 * 256 * 2),
    "ae": Workload("ae", "mnist_autoencoder.ingot", 128, _seeded(twins.MnistAutoencoder), _adam, _ae_data, _mse,
                   _infer, 2 * (784 * 256 + 256 * 64 + 64 * 256 + 256 * 784)),
    # training: teacher-forced logits; inference (predict) also the greedy decoding of 20 steps
    "seq2seq": Workload("seq2seq", "seq2seq.ingot", 64, _seeded(twins.Seq2Seq), _adam3, _seq2seq_data, _ce_seq,
                        _infer, 2 * _rnn_flops(3, 64, 128, 20, 0) + 20 * 2 * 128 * 32),
    "transformer": Workload("transformer", "char_transformer.ingot", 32, _seeded(twins.CharTransformer), _adamw,
                            _char_data, _ce_seq, _infer,
                            64 * (2 * (128 * 384 + 128 * 128 + 2 * 128 * 512) + 2 * 2 * 64 * 128) * 2
                            + 64 * 2 * 128 * 65, clip=1.0),
}

def get(name: str) -> Workload:
    try:
        return WORKLOADS[name]
    except KeyError:
        raise SystemExit(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}")


if __name__ == "__main__":
    # Smoke test: shapes, parameter counts, one training step each.
    for w in WORKLOADS.values():
        m = w.make_model()
        opt = w.make_optimizer(m)
        (inputs, target), = w.make_data(w.batch, 1)
        loss = w.train_step(m, opt, inputs, target)
        m.eval()
        with torch.no_grad():
            ys = w.infer(m, inputs)
        n = sum(p.numel() for p in m.parameters())
        print(f"{w.name:12s} batch {w.batch:4d} params {n:9d} loss {loss.item():.4f} "
              f"out {' '.join(str(tuple(y.shape)) for y in ys)} fwd MFLOP/ex {w.fwd_flops / 1e6:.2f}")
