#!/usr/bin/env python3
"""Train the PyTorch twin of dsl-examples/mnist_autoencoder.ingot the same way and report its test
reconstruction MSE, for comparison with `bin/ingot train dsl-examples/mnist_autoencoder.ingot`.

    /usr/bin/python3 benchmarks/quality/compare_ae.py [--epochs 10] [--threads 2] [--seed 1] [--json OUT]

Model: the twin of the example (tools/twins/twins.py): 784 -> 256 (ReLU) -> 64 (ReLU) -> 256 (ReLU) -> 784
(sigmoid), with Ingot's initializers (Linear weights Glorot-uniform, biases zero); loss = mean squared error against the input; Adam(1e-3), batches of
128, the 60,000 training images reshuffled every epoch, pixels scaled to [0, 1].
Test MSE = mean over every pixel of the 10,000 test images.
"""
import argparse, gzip, json, os, sys, time
import numpy as np
import torch, torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "twins"))
import twins  # noqa: E402
DATA = os.path.join(ROOT, "dsl-examples", "data", "mnist")


def images(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    train, test = images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")
    model = twins.build("mnist_autoencoder", a.seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    g = torch.Generator().manual_seed(a.seed)
    start = time.time()
    for epoch in range(a.epochs):
        perm = torch.randperm(len(train), generator=g)
        total, count = 0.0, 0
        for i in range(0, len(perm), 128):
            x = train[perm[i:i + 128]]
            loss = F.mse_loss(model(x), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(x); count += len(x)
        print(f"epoch {epoch + 1}/{a.epochs}  train_mse {total / count:.5f}", flush=True)
    seconds = time.time() - start
    with torch.no_grad():
        mse = sum(F.mse_loss(model(test[i:i + 1000]), test[i:i + 1000], reduction="sum").item()
                  for i in range(0, len(test), 1000)) / test.numel()
    result = {"framework": "pytorch " + torch.__version__, "model": "ae", "epochs": a.epochs, "test_mse": mse,
              "seconds": seconds, "threads": a.threads}
    print(json.dumps(result))
    if a.json:
        with open(a.json, "w") as f: json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
