"""In-process A/B of execution paths, alternating short windows so that load from other
processes on the shared machine hits all variants alike. Run through run_torch.sh's
environment, e.g.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OPENBLAS_CORETYPE=SkylakeX \
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 ab_paths.py infer mlp cnn --threads 1

Modes:
  infer  the example's predict at the training batch size and at batch 1: no_grad / inference_mode /
         jit_freeze (trace + freeze + optimize_for_inference of forward(): for seq2seq the logits
         only, without the greedy decoding) ; cnn also channels_last with inference_mode or
         jit_freeze. (torch.utils.mkldnn.to_mkldnn was tried for the cnn when it flattened in Keras
         order, which its blocked-layout tensors do not support (permute).)
  train  training step: eager / channels_last (4-D inputs only) / jit_script
         (torch.jit.script of the module, profiling executor, autograd through the graph)
Prints the median over rounds of each variant's examples/s (latency in ms for batch 1).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import os

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402


def rate(fn, ex, window):
    n, t0 = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= window:
            return n * ex / dt


def infer_variants(w, batch):
    data = w.make_data(batch, 1)[0][0]
    out = {}

    m0 = w.make_model().eval()

    def f_ng():
        with torch.no_grad():
            w.infer(m0, data)
    out["no_grad"] = f_ng
    m1 = w.make_model().eval()

    def f_im():
        with torch.inference_mode():
            w.infer(m1, data)
    out["inference_mode"] = f_im
    try:
        m2 = w.make_model().eval()
        with torch.no_grad():
            fr = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(m2, data)))
            for _ in range(3):
                fr(*data)

        def f_jit():
            with torch.no_grad():
                fr(*data)
        out["jit_freeze"] = f_jit
    except Exception as e:  # noqa: BLE001
        print(f"  jit_freeze failed for {w.name}: {type(e).__name__}: {str(e)[:200]}")
    if w.name == "cnn":
        m4 = w.make_model().eval().to(memory_format=torch.channels_last)
        xc = data[0].contiguous(memory_format=torch.channels_last)

        def f_cl():
            with torch.inference_mode():
                w.infer(m4, (xc,))
        out["channels_last+inference_mode"] = f_cl
        m5 = w.make_model().eval().to(memory_format=torch.channels_last)
        with torch.no_grad():
            fr5 = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(m5, (xc,))))
            for _ in range(3):
                fr5(xc)

        def f_cljit():
            with torch.no_grad():
                fr5(xc)
        out["channels_last+jit_freeze"] = f_cljit
    return out


def train_variants(w, batch):
    out = {}
    data = w.make_data(batch, 1)[0]

    def make(model, inputs, target):
        opt = w.make_optimizer(model)

        def step():
            w.train_step(model, opt, inputs, target)
        return step
    out["eager"] = make(w.make_model(), *data)
    if data[0][0].dim() == 4:
        m = w.make_model().to(memory_format=torch.channels_last)
        out["channels_last"] = make(m, (data[0][0].contiguous(memory_format=torch.channels_last),), data[1])
    try:
        sm = torch.jit.script(w.make_model())
        f = make(sm, *data)
        for _ in range(5):
            f()
        out["jit_script"] = f
    except Exception as e:  # noqa: BLE001
        print(f"  jit_script failed for {w.name}: {type(e).__name__}: {str(e)[:200]}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["infer", "train"])
    ap.add_argument("workloads", nargs="+")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--window", type=float, default=0.5)
    ap.add_argument("--cpu-fuser", action="store_true",
                    help="let TorchScript's NNC fuser fuse on CPU (off by default in 1.13); "
                         "affects the jit variants only")
    a = ap.parse_args()
    if a.cpu_fuser:
        torch._C._jit_override_can_fuse_on_cpu(True)
    torch.set_num_threads(a.threads)
    for name in a.workloads:
        w = workloads.get(name)
        batches = [w.batch, 1] if a.mode == "infer" else [w.batch]
        for b in batches:
            vs = (infer_variants if a.mode == "infer" else train_variants)(w, b)
            for f in vs.values():  # warm-up
                rate(f, b, 1.0)
            res = {k: [] for k in vs}
            for _ in range(a.rounds):
                for k, f in vs.items():
                    res[k].append(rate(f, b, a.window))
            base = statistics.median(res[next(iter(res))])
            for k, v in res.items():
                med = statistics.median(v)
                val = f"{med:10.1f} ex/s" if b > 1 else f"{1e3 / med:10.4f} ms  "
                print(f"{name:11s} t{a.threads} {a.mode} batch {b:3d} {k:30s} {val} "
                      f"x{med / base:5.2f}  [{min(v):.1f}..{max(v):.1f} ex/s]", flush=True)


if __name__ == "__main__":
    main()
