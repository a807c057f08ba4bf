"""PyTorch twins of the Ingot examples: the one set used by the benchmarks (benchmarks/pytorch), the
interop scripts (tools/interop), the quality comparisons (benchmarks/quality) and the reference
input gradients (tools/reference/gen_input_grads.py). See README.md next to this file.

Each twin computes what its dsl-examples/<stem>.ingot file computes: the same layers and sizes,
activations, input standardization, dropout (active in train(), off in eval()), and, with
`build(..., init="ingot")`, parameters drawn from the same distributions as Ingot's initializers.
Modules are named after the Ingot layers, so one rule (`mapping`) gives every parameter's Ingot
checkpoint name and layout, for every twin.

Run with /usr/bin/python3 (the interpreter that has torch 1.13). `python3 twins.py` checks every
twin: the mapping covers its state_dict, and the output shapes are the example's.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Dict, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def standardize_mnist(pixels):
    """As mnist_mlp.ingot and mnist_cnn.ingot: x = (pixels - 0.1307) / 0.3081, MNIST's mean and std
    (literals, so that torch.jit.script compiles it)."""
    return (pixels - 0.1307) / 0.3081


# --------------------------------------------------------------------------- MNIST

class MnistMlp(nn.Module):
    """mnist_mlp.ingot: standardize, 784 -> 256 relu -> 128 relu -> 10 (logits)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, pixels):                    # [batch, 784] in [0, 1]
        x = standardize_mnist(pixels)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)                        # logits [batch, 10]


class MnistCnn(nn.Module):
    """mnist_cnn.ingot (the Keras mnist_cnn): standardize, conv 3x3x32 relu, conv 3x3x64 relu, max
    pool 2, dropout .25, flatten in NCHW order (C, H, W: Ingot's flatten; Keras flattens H, W, C),
    dense 128 relu, dropout .5, dense 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.drop1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(9216, 128)
        self.drop2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, pixels):                    # [batch, 1, 28, 28] in [0, 1]
        x = standardize_mnist(pixels)
        x = F.relu(self.conv1(x))                 # [batch, 32, 26, 26]
        x = F.relu(self.conv2(x))                 # [batch, 64, 24, 24]
        x = F.max_pool2d(x, 2)                    # [batch, 64, 12, 12]
        x = self.drop1(x)
        x = x.flatten(1)                          # [batch, 9216], channel-major
        x = F.relu(self.fc1(x))
        x = self.drop2(x)
        return self.fc2(x)                        # logits [batch, 10]


class MnistAutoencoder(nn.Module):
    """mnist_autoencoder.ingot: 784 -> 256 relu -> 64 relu -> 256 relu -> 784 sigmoid (no standardization)."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Linear(784, 256)
        self.enc2 = nn.Linear(256, 64)
        self.dec1 = nn.Linear(64, 256)
        self.dec2 = nn.Linear(256, 784)

    def forward(self, pixels):                    # [batch, 784] in [0, 1]
        x = F.relu(self.enc1(pixels))
        x = F.relu(self.enc2(x))
        x = F.relu(self.dec1(x))
        return torch.sigmoid(self.dec2(x))        # reconstruction [batch, 784]


# --------------------------------------------------------------------------- recurrent

class _CharRecurrent(nn.Module):
    """char_{rnn,lstm,gru}.ingot: embedding 65x64, a recurrent layer of 256 over all 64 steps (zero
    initial state), dense 65 at every step."""

    def __init__(self, cell):
        super().__init__()
        self.emb = nn.Embedding(65, 64)
        self.rec = cell(64, 256, batch_first=True)        # nn.RNN's default nonlinearity is tanh, as Ingot's rnn
        self.out = nn.Linear(256, 65)

    def forward(self, ids):                       # [batch, 64] integer ids
        h, _ = self.rec(self.emb(ids.long()))     # [batch, 64, 256]
        return self.out(h)                        # logits [batch, 64, 65]


class CharRnn(_CharRecurrent):
    """char_rnn.ingot: tanh RNN."""

    def __init__(self):
        super().__init__(nn.RNN)


class CharLstm(_CharRecurrent):
    """char_lstm.ingot: LSTM."""

    def __init__(self):
        super().__init__(nn.LSTM)


class CharGru(_CharRecurrent):
    """char_gru.ingot: GRU."""

    def __init__(self):
        super().__init__(nn.GRU)


class SentimentBiLstm(nn.Module):
    """sentiment_bilstm.ingot: embedding 1000x64, dropout .3, bidirectional LSTM 128 each way, the
    final states of both directions concatenated (256), dropout .3, dense 2."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 64)
        self.drop1 = nn.Dropout(0.3)
        self.rec = nn.LSTM(64, 128, batch_first=True, bidirectional=True)
        self.drop2 = nn.Dropout(0.3)
        self.out = nn.Linear(256, 2)

    def forward(self, tokens):                    # [batch, 100] word ids
        _, (h_n, _) = self.rec(self.drop1(self.emb(tokens.long())))   # h_n [2, batch, 128]: forward, backward final
        return self.out(self.drop2(torch.cat([h_n[0], h_n[1]], dim=1)))   # logits [batch, 2]


class Seq2Seq(nn.Module):
    """seq2seq.ingot: GRU encoder-decoder, vocabularies 32, embeddings 64, GRUs 128. Training
    (forward): teacher forcing, the decoder starts from the encoder's final state and reads tgt_in;
    dense 32 at every step. predict also decodes greedily (START = 1, 20 steps, each argmax fed back),
    as the example's `decoded` output."""
    START, LENGTH = 1, 20

    def __init__(self):
        super().__init__()
        self.emb_src = nn.Embedding(32, 64)
        self.emb_tgt = nn.Embedding(32, 64)
        self.encoder = nn.GRU(64, 128, batch_first=True)
        self.decoder = nn.GRU(64, 128, batch_first=True)
        self.out = nn.Linear(128, 32)

    def encode(self, src):                        # [batch, 20] -> final state [1, batch, 128]
        return self.encoder(self.emb_src(src.long()))[1]

    def forward(self, src, tgt_in):               # logits [batch, 20, 32]
        return self._teacher_forced(self.encode(src), tgt_in)

    def _teacher_forced(self, h, tgt_in):
        return self.out(self.decoder(self.emb_tgt(tgt_in.long()), h)[0])

    def greedy(self, h):                          # token ids [batch, 20] (as floats, like Ingot's output)
        token = torch.full((h.shape[1],), self.START, dtype=torch.long)
        tokens = []
        for _ in range(self.LENGTH):
            y, h = self.decoder(self.emb_tgt(token)[:, None], h)
            token = self.out(y[:, 0]).argmax(-1)
            tokens.append(token)
        return torch.stack(tokens, 1).float()

    def predict(self, src, tgt_in):
        """Both outputs of the example, (logits, decoded), sharing the encoder's pass."""
        h = self.encode(src)
        return self._teacher_forced(h, tgt_in), self.greedy(h)


# --------------------------------------------------------------------------- transformer

class MultiHeadAttention(nn.Module):
    """The prelude's multi_head_attention (self-attention): dense q, k, v, o (d_model -> d_model),
    softmax(q k^T / sqrt(d_head) + mask) v per head. q, k and v are computed as one matrix product
    with the three weights stacked (the same function, PyTorch's fastest path)."""

    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.o = nn.Linear(d_model, d_model)

    def forward(self, x, mask):                   # x [B, T, D], mask [T, T] additive (0 / -inf)
        B, T, D = x.shape
        hd = D // self.heads
        w = torch.cat([self.q.weight, self.k.weight, self.v.weight])
        b = torch.cat([self.q.bias, self.k.bias, self.v.bias])
        qkv = F.linear(x, w, b).view(B, T, 3, self.heads, hd).permute(2, 0, 3, 1, 4)   # [3, B, h, T, hd]
        q, k, v = qkv[0], qkv[1], qkv[2]
        att = torch.baddbmm(mask.expand(B * self.heads, T, T),
                            q.reshape(B * self.heads, T, hd),
                            k.reshape(B * self.heads, T, hd).transpose(1, 2),
                            alpha=1.0 / math.sqrt(hd))
        att = torch.softmax(att, dim=-1)
        y = torch.bmm(att, v.reshape(B * self.heads, T, hd))                    # [B*h, T, hd]
        y = y.view(B, self.heads, T, hd).transpose(1, 2).reshape(B, T, D)
        return self.o(y)


class FeedForward(nn.Module):
    """The prelude's feed_forward: dense up (gelu, exact), dense down."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.up = nn.Linear(d_model, d_ff)
        self.down = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class TransformerBlock(nn.Module):
    """The prelude's transformer_block (pre-LayerNorm, no dropout): h = x + attn(ln1(x)); h + ff(ln2(h))."""

    def __init__(self, d_model: int, heads: int, d_ff: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff)

    def forward(self, x, mask):
        h = x + self.attn(self.ln1(x), mask)
        return h + self.ff(self.ln2(h))


class CharTransformer(nn.Module):
    """char_transformer.ingot: token embedding 65x128 + learned positions `pos` [64, 128]
    (normal, std 0.02), 2 transformer blocks (4 heads, feed-forward 512), causal mask, final
    LayerNorm, dense 65 (untied)."""

    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(65, 128)
        self.pos = nn.Parameter(torch.zeros(64, 128))
        self.blocks = nn.ModuleList([TransformerBlock(128, 4, 512) for _ in range(2)])
        self.ln = nn.LayerNorm(128)
        self.head = nn.Linear(128, 65)
        self.register_buffer("mask", torch.triu(torch.full((64, 64), float("-inf")), diagonal=1), persistent=False)
        self.init_own_params()

    def init_own_params(self):
        """`param pos: [64, 128] = normal(std = 0.02)`: the parameters outside a layer (also used by init_like_ingot)."""
        with torch.no_grad():
            nn.init.normal_(self.pos, std=0.02)

    def forward(self, ids):                       # [batch, 64]
        x = self.tok(ids.long()) + self.pos
        for block in self.blocks:
            x = block(x, self.mask)
        return self.head(self.ln(x))              # logits [batch, 64, 65]


# --------------------------------------------------------------------------- the examples

@dataclass(frozen=True)
class Example:
    stem: str                      # dsl-examples/<stem>.ingot
    model: str                     # the `model` name in the file (checkpoint metadata "model")
    twin: type                     # the nn.Module class
    inputs: Tuple[str, ...]        # Ingot input names, in forward() argument order
    labels: Tuple[str, ...]
    outputs: Tuple[str, ...]       # Ingot output names, in predict() order
    shapes: Tuple[Tuple[int, ...], ...]   # each input's shape without the batch axis
    vocab: Tuple[int, ...]         # each input's vocabulary (i32 ids in [0, vocab)); 0 = f32 in [0, 1)


_PIXELS, _IDS = (((784,),), (0,)), (((64,),), (65,))
EXAMPLES: Dict[str, Example] = {e.stem: e for e in [
    Example("mnist_mlp", "MnistMlp", MnistMlp, ("pixels",), ("digit",), ("logits",), *_PIXELS),
    Example("mnist_cnn", "MnistCnn", MnistCnn, ("pixels",), ("digit",), ("logits",), ((1, 28, 28),), (0,)),
    Example("mnist_autoencoder", "MnistAutoencoder", MnistAutoencoder, ("pixels",), (), ("reconstruction",), *_PIXELS),
    Example("char_rnn", "CharRnn", CharRnn, ("ids",), ("next",), ("logits",), *_IDS),
    Example("char_lstm", "CharLstm", CharLstm, ("ids",), ("next",), ("logits",), *_IDS),
    Example("char_gru", "CharGru", CharGru, ("ids",), ("next",), ("logits",), *_IDS),
    Example("sentiment_bilstm", "SentimentBiLstm", SentimentBiLstm, ("tokens",), ("positive",), ("logits",),
            ((100,),), (1000,)),
    Example("seq2seq", "Seq2Seq", Seq2Seq, ("src", "tgt_in"), ("tgt",), ("logits", "decoded"), ((20,), (20,)), (32, 32)),
    Example("char_transformer", "CharTransformer", CharTransformer, ("ids",), ("next",), ("logits",), *_IDS),
]}


def sample_inputs(ex: Example, batch: int, seed: int = 0) -> Dict[str, torch.Tensor]:
    """Random inputs of the example's shapes by Ingot name: f32 uniform in [0, 1), ids (int64) uniform over the vocabulary."""
    g = torch.Generator().manual_seed(seed)
    return {name: torch.randint(0, v, (batch, *shape), generator=g) if v else torch.rand((batch, *shape), generator=g)
            for name, shape, v in zip(ex.inputs, ex.shapes, ex.vocab)}


def example(name: str) -> Example:
    """The example by file stem, file name or path (mnist_cnn, mnist_cnn.ingot, dsl-examples/mnist_cnn.ingot)."""
    key = os.path.basename(name)
    key = key[:-len(".ingot")] if key.endswith(".ingot") else key
    if key not in EXAMPLES:
        raise SystemExit(f"no PyTorch twin of '{name}'; twins exist of {', '.join(EXAMPLES)}")
    return EXAMPLES[key]


def init_like_ingot(net: nn.Module) -> nn.Module:
    """Redraws every parameter from the distribution of Ingot's initializer for it (the prelude's
    defaults): dense and conv2d weights Glorot-uniform, their biases zeros; embeddings N(0, 1);
    rnn/lstm/gru tensors U(-1/sqrt(hidden), 1/sqrt(hidden)); layer_norm gamma 1, beta 0; a twin's own
    parameters by its init_own_params(). (PyTorch's defaults differ for nn.Linear and nn.Conv2d.)"""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(m.weight)     # fans as Ingot's: [out, in, kh, kw] -> in*kh*kw, out*kh*kw
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=1.0)
            elif isinstance(m, nn.RNNBase):
                k = 1.0 / math.sqrt(m.hidden_size)
                for p in m.parameters(recurse=False):
                    nn.init.uniform_(p, -k, k)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            if hasattr(m, "init_own_params"):
                m.init_own_params()
    return net


def build(twin, seed: int, init: str = "ingot") -> nn.Module:
    """The twin (an Example, a class or a file stem) with parameters drawn from `seed`: by Ingot's
    initializers (init="ingot") or PyTorch's defaults of each module (init="torch"). In train mode."""
    cls = twin.twin if isinstance(twin, Example) else example(twin).twin if isinstance(twin, str) else twin
    if init not in ("ingot", "torch"):
        raise ValueError(f"init must be 'ingot' or 'torch', got {init!r}")
    torch.manual_seed(seed)
    net = cls().float()
    return init_like_ingot(net) if init == "ingot" else net


def predict(net: nn.Module, *inputs) -> tuple:
    """Every output of the example, in Example.outputs order (forward's alone, or the twin's predict)."""
    y = net.predict(*inputs) if hasattr(net, "predict") else net(*inputs)
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


# --------------------------------------------------------------------------- Ingot checkpoint names
# (Ingot name, PyTorch state_dict name, transform): "T" = transpose (Ingot's dense stores w as
# [n_in, n_out], nn.Linear.weight is [out, in]); "" = same layout.

_RENAMES = {nn.Linear: {"weight": ("w", "T"), "bias": ("b", "")},
            nn.Conv2d: {"weight": ("w", ""), "bias": ("b", "")},
            nn.Embedding: {"weight": ("weight", "")},
            nn.LayerNorm: {"weight": ("gamma", ""), "bias": ("beta", "")}}


def _ingot_name(path: str, module: nn.Module, pname: str) -> Tuple[str, str]:
    prefix = path + "." if path else ""
    if isinstance(module, nn.RNNBase):
        # weight_ih_l0 -> rec.weight_ih; weight_ih_l0_reverse -> rec_reverse.weight_ih (Ingot's bidirectional twin layer)
        if module.num_layers != 1:
            raise ValueError(f"{path}: Ingot's recurrent layers have one layer, this one has {module.num_layers}")
        base, _, rest = pname.partition("_l0")
        return (f"{path}_reverse.{base}" if rest == "_reverse" else prefix + base), ""
    for cls, names in _RENAMES.items():
        if type(module) is cls:
            if pname not in names:
                raise ValueError(f"{path}.{pname}: no Ingot name for this {cls.__name__} parameter")
            name, transform = names[pname]
            return prefix + name, transform
    return prefix + pname, ""                   # a twin's own parameter (e.g. CharTransformer.pos): same name


def mapping(net: nn.Module) -> List[Tuple[str, str, str]]:
    """(Ingot name, state_dict name, transform) of every parameter, in state_dict order."""
    rows = []
    for path, module in net.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            ingot, transform = _ingot_name(path, module, pname)
            rows.append((ingot, (path + "." if path else "") + pname, transform))
    return rows


def to_torch_layout(t: torch.Tensor, transform: str) -> torch.Tensor:
    return t.t().contiguous() if transform == "T" else t.contiguous()


def to_ingot_layout(t: torch.Tensor, transform: str) -> torch.Tensor:
    return t.t().contiguous() if transform == "T" else t.contiguous()   # a transpose is its own inverse


def ingot_state(net: nn.Module) -> Dict[str, torch.Tensor]:
    """The parameters under Ingot's names and layouts, in mapping order; every state_dict tensor mapped once."""
    sd = net.state_dict()
    rows = mapping(net)
    unmapped = sorted(set(sd) - {t for _, t, _ in rows})
    if unmapped:
        raise ValueError(f"{type(net).__name__}: state_dict tensors without an Ingot name: {unmapped}")
    return {ingot: to_ingot_layout(sd[tname].detach().float(), transform) for ingot, tname, transform in rows}


def torch_state(net: nn.Module, weights: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """A state_dict for `net` from tensors under Ingot's names and layouts (names and shapes are not checked here)."""
    return {tname: to_torch_layout(weights[ingot].float(), transform) for ingot, tname, transform in mapping(net)}


# --------------------------------------------------------------------------- self-check

if __name__ == "__main__":
    for ex in EXAMPLES.values():
        net = build(ex, 0).eval()
        names = ingot_state(net)
        with torch.no_grad():
            ys = predict(net, *sample_inputs(ex, 3).values())
        assert len(ys) == len(ex.outputs), (ex.stem, len(ys))
        back = build(ex, 1, init="torch").eval()
        back.load_state_dict(torch_state(back, names), strict=True)
        with torch.no_grad():
            same = all(torch.equal(a, b) for a, b in zip(ys, predict(back, *sample_inputs(ex, 3).values())))
        assert same, ex.stem
        print(f"{ex.stem:18s} {ex.model:17s} {len(names):3d} tensors {sum(t.numel() for t in names.values()):9,d} params  "
              + ", ".join(f"{n} {list(y.shape)}" for n, y in zip(ex.outputs, ys)))
