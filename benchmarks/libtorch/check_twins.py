"""Checks that each DJL workload (Workloads.java) computes what its PyTorch twin (tools/twins/twins.py) computes,
on the same weights: reads OUTDIR/WORKLOAD.npz written by TwinCheck (run_djl.sh --twin-check), loads the DJL
parameters into the twin by name with load_state_dict(strict=True) (every tensor of the twin, with its shape, no
other), and compares every output of predict (eval mode), the training loss of benchmarks/pytorch/workloads.py
(dropout off), every gradient after the workload's clipping and every parameter after one optimizer step from
DJL's gradients (torch.optim's step against DJL's). The data (shapes, kinds, ranges), batch size, optimizer, its
hyper-parameters and the clipping must be workloads.py's, and DJL must draw its initial weights like
twins.build(init="ingot") (Ingot's initializers): constant tensors equal, every random tensor's standard
deviation within 20% of the twin's. Exit status 1 on any mismatch.

    /usr/bin/python3 benchmarks/libtorch/check_twins.py OUTDIR [WORKLOAD...]     (or check_twins.sh)
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pytorch"))
import workloads  # noqa: E402  (puts tools/twins on sys.path)
import twins      # noqa: E402

TOL = 1e-4        # max |difference| relative to max(1, max |value|) of each tensor
SPREAD = 0.2      # initial weights: |std(DJL) / std(twin) - 1| at most this


def init_mismatches(params, fresh):
    """Names whose DJL initial tensor is not drawn like the twin's (init="ingot"): constants must be equal,
    random tensors of the same spread."""
    bad = []
    for n, ref in fresh.items():
        p = params[n]
        if ref.std().item() == 0 or ref.numel() == 1:
            if not torch.equal(p, ref):
                bad.append(f"{n} initialized unlike the twin (constant {ref.flatten()[0].item():g} there)")
        elif abs(p.std().item() / ref.std().item() - 1) > SPREAD:
            bad.append(f"{n} initialized unlike the twin (std {p.std().item():.4f}, the twin's {ref.std().item():.4f})")
    return bad


def data_mismatches(w, inputs, target):
    """The DJL batch against workloads.py's data: per tensor the same shape (but the batch axis), kind (float /
    integer) and values within the range workloads.py draws (seen over 8 of its batches of 64)."""
    batches = w.make_data(64, 8)
    bad = []
    for i, djl in enumerate(list(inputs) + [target]):
        ref = torch.cat([b[0][i] if i < len(inputs) else b[1] for b in batches])
        what = f"input {i}" if i < len(inputs) else "target"
        if tuple(djl.shape[1:]) != tuple(ref.shape[1:]) or djl.is_floating_point() != ref.is_floating_point() \
                or djl.min() < ref.min() or djl.max() > ref.max():
            bad.append(f"{what}: {djl.dtype} {tuple(djl.shape)} in [{djl.min().item():g}, {djl.max().item():g}], "
                       f"workloads.py's {ref.dtype} {tuple(ref.shape[1:])} in [{ref.min().item():g}, {ref.max().item():g}]")
    return bad


def rel_diff(a, b):
    a, b = a.detach().double(), b.detach().double()
    return (a - b).abs().max().item() / max(1.0, b.abs().max().item())


def check(name, path):
    w = workloads.get(name)
    z = np.load(path)
    params = {k[len("param/"):]: torch.from_numpy(z[k]) for k in z.files if k.startswith("param/")}
    grads = {k[len("grad/"):]: torch.from_numpy(z[k]) for k in z.files if k.startswith("grad/")}
    n_in = sum(k.startswith("input/") for k in z.files)
    inputs = tuple(torch.from_numpy(z[f"input/{i}"]) for i in range(n_in))
    target = torch.from_numpy(z["target"])
    outputs = [torch.from_numpy(z[f"output/{i}"]) for i in range(sum(k.startswith("output/") for k in z.files))]

    bad_data = data_mismatches(w, inputs, target)
    net = twins.build(w.example_file, 0)                   # Ingot's initializers
    bad_init = init_mismatches(params, {k: v.detach().clone() for k, v in net.state_dict().items()})
    net.load_state_dict(params, strict=True)       # names and shapes: the DJL model has exactly the twin's tensors
    net.eval()
    worst, notes = 0.0, []
    with torch.no_grad():
        ys = twins.predict(net, *inputs)
    if len(ys) != len(outputs):
        raise SystemExit(f"{name}: DJL predict gives {len(outputs)} outputs, the twin {len(ys)}")
    for i, (y, o) in enumerate(zip(ys, outputs)):
        if tuple(y.shape) != tuple(o.shape):
            raise SystemExit(f"{name}: output {i} shape {tuple(o.shape)}, the twin's {tuple(y.shape)}")
        d = rel_diff(o, y)
        worst = max(worst, d)
        notes.append(f"out{i} {d:.1e}")
    net.zero_grad(set_to_none=True)
    loss = w.loss(net, inputs, target)             # dropout off (eval), as TwinCheck's forward(train = false)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(net.parameters(), w.clip).item() if w.clip else None
    d = rel_diff(torch.from_numpy(z["loss"]), loss)
    worst = max(worst, d)
    notes.append(f"loss {loss.item():.4f} {d:.1e}")
    if norm is not None:
        notes.append(f"grad norm {norm:.3f} (DJL {z['grad_norm'].item():.3f}, clip {w.clip})")
        worst = max(worst, rel_diff(torch.from_numpy(z["grad_norm"]), torch.tensor(norm)))
    gd = max(rel_diff(grads[n], p.grad) for n, p in net.named_parameters())
    worst = max(worst, gd)
    notes.append(f"grads {gd:.1e}")
    for n, p in net.named_parameters():            # the optimizer alone: from DJL's gradients (Adam's first step is
        p.grad = grads[n].clone()                  # ~lr * sign(g), so a gradient of 1e-8 +- 1e-8 would dominate)
    opt = w.make_optimizer(net)
    opt.step()
    ud = max(rel_diff(torch.from_numpy(z["updated/" + n]), p) for n, p in net.named_parameters())
    worst = max(worst, ud)
    notes.append(f"{type(opt).__name__} step {ud:.1e}")
    clip, lr, momentum, wd = (float(v) for v in z["hyper"])
    djl = (int(z["batch"][0]), bytes(z["optimizer"].astype(np.uint8)).decode(), clip, lr, momentum, wd)
    torch_side = (w.batch, type(opt).__name__, float(w.clip), opt.defaults["lr"], opt.defaults.get("momentum", 0.0),
                  opt.defaults.get("weight_decay", 0.0))
    same = djl[:2] == torch_side[:2] and all(abs(a - b) <= 1e-6 * max(1.0, abs(b)) for a, b in zip(djl[2:], torch_side[2:]))
    if not same:
        bad_init.append(f"training setup (batch, optimizer, clip, lr, momentum, wd) {djl} != workloads.py's {torch_side}")
    bad_init += bad_data
    ok = worst <= TOL and not bad_init
    print(f"{name:12s} {'ok  ' if ok else 'FAIL'} {len(params):3d} tensors  " + ", ".join(notes)
          + (f"; MISMATCH: {'; '.join(bad_init)}" if bad_init else ", init, data and training setup like the twin's"))
    return ok


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(workloads.WORKLOADS)
    torch.set_num_threads(1)
    ok = all([check(n, os.path.join(out, n + ".npz")) for n in names])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
