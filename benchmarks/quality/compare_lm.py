#!/usr/bin/env python3
"""Train the PyTorch twin of an Ingot character language model on the same data, the same way,
and report its validation loss (nats per character), for comparison with `bin/ingot train`.

    /usr/bin/python3 benchmarks/quality/compare_lm.py lstm --steps 2000 [--threads 2] [--seed 1] [--json OUT]

Models: the twins of dsl-examples/char_{rnn,lstm,gru,transformer}.ingot (tools/twins/twins.py), with
Ingot's initializers:
  rnn, lstm, gru: Embedding(65, 64) -> RNN/LSTM/GRU(64 -> 256) -> Linear(256, 65) at every step; Adam 1e-3
  transformer:    token embedding (128) + learned positions, 2 pre-LN blocks (4 heads, q/k/v/o projections,
                  causal mask, feed-forward 512 with exact GELU), final LayerNorm, Linear(128, 65);
                  AdamW(1e-3, weight decay 0.01), linear warm-up of 100 steps then cosine decay, gradient clipping at 1.0
Data (as Ingot's chars data source): tiny Shakespeare, vocabulary = sorted distinct characters, the first 90%
for training and the rest for validation, non-overlapping windows of 64 characters (targets shifted by one),
training windows reshuffled every epoch, batches of 32; validation loss = mean cross-entropy over every
position of every validation window.
"""
import argparse, json, math, os, sys, time
import torch, torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "twins"))
import twins  # noqa: E402

TEXT = os.path.join(ROOT, "dsl-examples", "data", "tinyshakespeare", "input.txt")
SEQ, BATCH = 64, 32


def windows(ids, seq):
    n = (len(ids) - 1) // seq
    x = torch.tensor([ids[i * seq:i * seq + seq] for i in range(n)], dtype=torch.long)
    y = torch.tensor([ids[i * seq + 1:i * seq + seq + 1] for i in range(n)], dtype=torch.long)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["rnn", "lstm", "gru", "transformer"])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    text = open(TEXT, encoding="utf-8").read()
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = [index[c] for c in text]
    cut = math.floor((1 - 0.1) * len(ids))   # as CharCorpus.trainLength
    xt, yt = windows(ids[:cut], SEQ)
    xv, yv = windows(ids[cut:], SEQ)
    if len(vocab) != 65:
        sys.exit(f"{TEXT}: {len(vocab)} distinct characters; the examples have a vocabulary of 65")
    model = twins.build(f"char_{a.model}", a.seed)
    if a.model == "transformer":
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, foreach=True)
        warm = 100
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, max(0.0, (s - warm) / max(1, a.steps - warm))))))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
        sched = None
    g = torch.Generator().manual_seed(a.seed)
    step, start = 0, time.time()
    model.train()
    while step < a.steps:
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            loss = F.cross_entropy(model(xt[idx]).reshape(-1, len(vocab)), yt[idx].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if a.model == "transformer":
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if sched: sched.step()
            step += 1
            if step % 500 == 0: print(f"step {step}/{a.steps}  loss {loss.item():.4f}", flush=True)
            if step >= a.steps: break
    seconds = time.time() - start
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(xv), 256):
            out = model(xv[i:i + 256])
            total += F.cross_entropy(out.reshape(-1, len(vocab)), yv[i:i + 256].reshape(-1), reduction="sum").item()
            count += yv[i:i + 256].numel()
    result = {"framework": "pytorch " + torch.__version__, "model": a.model, "steps": a.steps, "val_loss": total / count,
              "seconds": seconds, "threads": a.threads, "train_windows": len(xt), "val_windows": len(xv)}
    print(json.dumps(result))
    if a.json:
        with open(a.json, "w") as f: json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
