"""The nine Ingot reference workloads (see /work/shared/WORKLOADS.md) in PyTorch.

Each workload is a `Workload` with:
  - make_model()            -> nn.Module (float32, deterministic init from a fixed seed)
  - make_optimizer(model)   -> torch.optim.Optimizer (foreach implementation)
  - make_data(batch, n)     -> list of n (inputs_tuple, target) batches, random but shaped, fixed seed
  - loss(model, inputs, target) -> scalar loss (training forward)
  - infer(model, inputs)    -> model output (logits / reconstruction), used under no_grad + eval
  - fwd_flops               -> approximate multiply-add FLOPs (x2) of one example's forward pass
                               (matmuls/convs only), used to print an approximate GFLOP/s.

Run with /usr/bin/python3 (the interpreter that has torch 1.13).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234


# --------------------------------------------------------------------------- models

class MLP(nn.Module):
    """mnist_mlp: 784 -> 256 relu -> 128 relu -> 10 (logits; softmax CE in the loss)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    """Keras mnist_cnn: conv3x3x32 relu, conv3x3x64 relu, maxpool 2, dropout .25,
    flatten 9216 (H, W, C order as in Keras), dense 128 relu, dropout .5, dense 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.drop2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.drop1(x)
        # Flatten in Keras's (H, W, C) order. On a channels_last tensor this is a free view;
        # on an NCHW-contiguous one it costs a copy (the CNN is run channels_last, see bench_torch).
        x = x.permute(0, 2, 3, 1).flatten(1)
        x = F.relu(self.fc1(x))
        x = self.drop2(x)
        return self.fc2(x)


class CharRNN(nn.Module):
    """Char LM: embed 64 -> {RNN tanh, LSTM, GRU} hidden 256 -> dense 65 at every step."""

    def __init__(self, cell: str, vocab=65, embed=64, hidden=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        rnn_cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = rnn_cls(embed, hidden, batch_first=True, **kwargs)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens):            # tokens [B, T] int64
        h, _ = self.rnn(self.embed(tokens))   # [B, T, H]
        return self.out(h)                # [B, T, V]


class BiLSTMClassifier(nn.Module):
    """Sentiment: embed 64 -> BiLSTM 128 each way -> concat final states (256) -> dense 2."""

    def __init__(self, vocab=1000, embed=64, hidden=128, classes=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = nn.LSTM(embed, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, classes)

    def forward(self, tokens):            # [B, T]
        _, (h_n, _) = self.rnn(self.embed(tokens))   # h_n [2, B, H]: forward final, backward final
        return self.out(torch.cat([h_n[0], h_n[1]], dim=1))


class AutoEncoder(nn.Module):
    """784 -> 256 relu -> 64 relu -> 256 relu -> 784 sigmoid."""

    def __init__(self):
        super().__init__()
        self.e1 = nn.Linear(784, 256)
        self.e2 = nn.Linear(256, 64)
        self.d1 = nn.Linear(64, 256)
        self.d2 = nn.Linear(256, 784)

    def forward(self, x):
        x = F.relu(self.e1(x))
        x = F.relu(self.e2(x))
        x = F.relu(self.d1(x))
        return torch.sigmoid(self.d2(x))


class Seq2Seq(nn.Module):
    """GRU encoder-decoder, src/tgt vocab 32, embed 64, hidden 128, teacher forcing.
    The decoder starts from the encoder's final state and reads the target shifted right
    (token 0 = BOS); a dense 32 at every decoder step."""

    def __init__(self, src_vocab=32, tgt_vocab=32, embed=64, hidden=128):
        super().__init__()
        self.src_embed = nn.Embedding(src_vocab, embed)
        self.tgt_embed = nn.Embedding(tgt_vocab, embed)
        self.encoder = nn.GRU(embed, hidden, batch_first=True)
        self.decoder = nn.GRU(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tgt_vocab)

    def forward(self, src, tgt_in):       # [B, S], [B, T]
        _, h = self.encoder(self.src_embed(src))
        y, _ = self.decoder(self.tgt_embed(tgt_in), h)
        return self.out(y)                # [B, T, V]


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, mask):           # x [B, T, D], mask [T, T] additive (0 / -inf)
        B, T, D = x.shape
        hd = D // self.heads
        qkv = self.qkv(x).view(B, T, 3, self.heads, hd).permute(2, 0, 3, 1, 4)  # [3, B, h, T, hd]
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.baddbmm(mask.expand(B * self.heads, T, T),
                            q.reshape(B * self.heads, T, hd),
                            k.reshape(B * self.heads, T, hd).transpose(1, 2),
                            alpha=1.0 / math.sqrt(hd))
        att = torch.softmax(att, dim=-1)
        y = torch.bmm(att, v.reshape(B * self.heads, T, hd))                # [B*h, T, hd]
        y = y.view(B, self.heads, T, hd).transpose(1, 2).reshape(B, T, D)
        return self.proj(y)


class Block(nn.Module):
    """Pre-LayerNorm decoder block: x + attn(ln1(x)); x + ff(ln2(x)), ff = 512 gelu."""

    def __init__(self, d_model=128, heads=4, ff=512):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, ff)
        self.ff2 = nn.Linear(ff, d_model)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))


class CharTransformer(nn.Module):
    """Decoder-only char LM: vocab 65, d_model 128, 4 heads, ff 512 gelu, 2 pre-LN layers,
    causal, learned positions, seq 64, final LayerNorm, dense 65 (untied)."""

    def __init__(self, vocab=65, d_model=128, heads=4, ff=512, layers=2, seq=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(seq, d_model)
        self.blocks = nn.ModuleList([Block(d_model, heads, ff) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)
        self.register_buffer(
            "mask", torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1), persistent=False)
        self.register_buffer("positions", torch.arange(seq), persistent=False)

    def forward(self, tokens):            # [B, T]
        T = tokens.shape[1]
        x = self.tok(tokens) + self.pos(self.positions[:T])
        mask = self.mask[:T, :T]
        for b in self.blocks:
            x = b(x, mask)
        return self.head(self.ln_f(x))    # [B, T, V]


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
    infer: Callable[[nn.Module, tuple], torch.Tensor]
    fwd_flops: float


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
    return model(*inputs)


def _sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, foreach=True)


def _adam(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=True)


def _adamw(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, foreach=True)


def _seeded(ctor):
    def make():
        torch.manual_seed(SEED)
        return ctor().float()
    return make


def _rnn_flops(gates, inp, hidden, seq, vocab):
    return seq * (2 * gates * (inp * hidden + hidden * hidden) + 2 * hidden * vocab)


WORKLOADS = {
    "mlp": Workload("mlp", "mnist_mlp.ingot", 128, _seeded(MLP), _sgd, _mnist_flat, _ce, _infer,
                    2 * (784 * 256 + 256 * 128 + 128 * 10)),
    "cnn": Workload("cnn", "mnist_cnn.ingot", 64, _seeded(CNN), _adam, _mnist_img, _ce, _infer,
                    2 * (26 * 26 * 32 * 9 + 24 * 24 * 64 * 32 * 9 + 9216 * 128 + 128 * 10)),
    "rnn": Workload("rnn", "char_rnn.ingot", 32, _seeded(lambda: CharRNN("rnn")), _adam, _char_data,
                    _ce_seq, _infer, _rnn_flops(1, 64, 256, 64, 65)),
    "lstm": Workload("lstm", "char_lstm.ingot", 32, _seeded(lambda: CharRNN("lstm")), _adam, _char_data,
                     _ce_seq, _infer, _rnn_flops(4, 64, 256, 64, 65)),
    "gru": Workload("gru", "char_gru.ingot", 32, _seeded(lambda: CharRNN("gru")), _adam, _char_data,
                    _ce_seq, _infer, _rnn_flops(3, 64, 256, 64, 65)),
    "bilstm": Workload("bilstm", "sentiment_bilstm.ingot", 32, _seeded(BiLSTMClassifier), _adam,
                       _bilstm_data, _ce, _infer,
                       2 * _rnn_flops(4, 64, 128, 100, 0) + 2 * 256 * 2),
    "ae": Workload("ae", "mnist_autoencoder.ingot", 128, _seeded(AutoEncoder), _adam, _ae_data, _mse,
                   _infer, 2 * (784 * 256 + 256 * 64 + 64 * 256 + 256 * 784)),
    "seq2seq": Workload("seq2seq", "seq2seq.ingot", 64, _seeded(Seq2Seq), _adam, _seq2seq_data, _ce_seq,
                        _infer, 2 * _rnn_flops(3, 64, 128, 20, 0) + 20 * 2 * 128 * 32),
    "transformer": Workload("transformer", "char_transformer.ingot", 32, _seeded(CharTransformer), _adamw,
                            _char_data, _ce_seq, _infer,
                            64 * (2 * (128 * 384 + 128 * 128 + 2 * 128 * 512) + 2 * 2 * 64 * 128) * 2
                            + 64 * 2 * 128 * 65),
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
        loss = w.loss(m, inputs, target)
        loss.backward()
        opt.step()
        m.eval()
        with torch.no_grad():
            y = w.infer(m, inputs)
        n = sum(p.numel() for p in m.parameters())
        print(f"{w.name:12s} batch {w.batch:4d} params {n:9d} loss {loss.item():.4f} "
              f"out {tuple(y.shape)} fwd MFLOP/ex {w.fwd_flops / 1e6:.2f}")
