"""Matmul GFLOP/s probe for choosing BLAS settings (run via probe_blas.sh).

Times torch.mm on the MLP's first-layer shapes (forward and both backward
products) in the current process's environment and prints one JSON line.
"""
import json, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import LoadMeter, wait_quiet  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
window = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
torch.set_num_threads(threads)
torch.manual_seed(0)
M, K, N = 128, 784, 256
shapes = {
    # forward: x[128,784] @ W^T[784,256]
    "fwd_128x784x256": (torch.randn(M, K), torch.randn(N, K).t()),
    # dX = dY[128,256] @ W[256,784]
    "dx_128x256x784": (torch.randn(M, N), torch.randn(N, K)),
    # dW = dY^T[256,128] @ X[128,784]
    "dw_256x128x784": (torch.randn(M, N).t(), torch.randn(M, K)),
}
waited, _ = wait_quiet(float(os.environ.get("BENCH_WAIT_QUIET", 120)))
meter = LoadMeter()
res, discarded = {}, 0
for name, (a, b) in shapes.items():
    out = torch.empty(a.shape[0], b.shape[1])
    flops = 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
    for _ in range(50):
        torch.mm(a, b, out=out)
    rates, tries = [], 0
    while len(rates) < 5:
        tries += 1
        meter.start()
        n = 0
        t0 = time.perf_counter()
        while True:
            for _ in range(20):
                torch.mm(a, b, out=out)
            n += 20
            dt = time.perf_counter() - t0
            if dt >= window:
                break
        if meter.stop() > 0.25 and tries < 20:  # other processes busy: discard the window
            discarded += 1
            continue
        rates.append(flops * n / dt / 1e9)
    rates.sort()
    res[name] = {"median": round(rates[2], 1), "min": round(rates[0], 1), "max": round(rates[-1], 1)}
print(json.dumps({"threads": threads,
                  "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                  "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
                  "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH"),
                  "gflops": res, "discarded_busy_windows": discarded, "waited_for_quiet_s": waited}))
