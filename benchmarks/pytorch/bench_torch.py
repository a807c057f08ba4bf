"""Benchmark one reference workload in PyTorch per the WORKLOADS.md protocol.

    /usr/bin/python3 bench_torch.py WORKLOAD [--threads N] [--json FILE]
                                    [--warmup S] [--window S] [--windows 5]

Use run_torch.sh to get the tuned environment (OpenBLAS openmp build, coretype, thread
variables); this script only reads that environment and records it in the JSON.

Protocol: for each metric, >= warmup seconds of untimed iterations, then `windows` timed
windows of >= window seconds each; the JSON reports median/min/max over the windows.
  train_examples_per_second : forward + loss + backward (+ clipping) + optimizer step, training batch size
  infer_examples_per_second : every output of the example's predict, eval() + no-grad, training batch size
  latency_b1_ms             : batch-1 forward latency, p50 of the calls within each window
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

N_BATCHES = 8  # distinct pre-generated batches, cycled (data generation is not timed)

# Fastest legitimate execution path per workload, chosen by measurement (README.md, ab_paths.py):
#   train:   "eager", or "channels_last" (NHWC memory format for model and inputs; oneDNN
#            convolutions without layout reorders, vectorized max-pool)
#   infer / latency: "eager" (eval + torch.no_grad), "inference_mode" (eval +
#            torch.inference_mode), or "jit_freeze" (eval + torch.jit.trace + torch.jit.freeze +
#            torch.jit.optimize_for_inference: folds weights, prepacks oneDNN convolutions and
#            fuses conv+relu; the graph is traced once per batch size)
# (train path, inference path at the training batch, batch-1 latency path)
DEFAULT_PATHS = {
    "mlp": ("eager", "inference_mode", "jit_freeze"),
    "cnn": ("channels_last", "jit_freeze", "jit_freeze"),
    "rnn": ("eager", "inference_mode", "inference_mode"),
    "lstm": ("eager", "inference_mode", "inference_mode"),
    "gru": ("eager", "inference_mode", "inference_mode"),
    "bilstm": ("eager", "inference_mode", "inference_mode"),
    "ae": ("eager", "inference_mode", "jit_freeze"),
    "seq2seq": ("eager", "inference_mode", "inference_mode"),
    "transformer": ("eager", "inference_mode", "jit_freeze"),
}


# --------------------------------------------------------------------------- machine load

_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle


def _own_ticks():
    with open("/proc/self/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, all threads


class LoadMeter:
    """CPU used by other processes (in cores) between start() and stop()."""

    def start(self):
        self.t0, self.b0, self.o0 = time.perf_counter(), _cpu_busy_ticks(), _own_ticks()

    def stop(self):
        dt = time.perf_counter() - self.t0
        busy = _cpu_busy_ticks() - self.b0
        own = _own_ticks() - self.o0
        return max(0.0, (busy - own) / _TICKS / dt)


def wait_quiet(max_wait, threshold=0.25, need=2):
    """Wait until other processes use < threshold cores for `need` consecutive seconds."""
    t_start, ok, m, last = time.perf_counter(), 0, LoadMeter(), None
    while time.perf_counter() - t_start < max_wait:
        m.start()
        time.sleep(1.0)
        last = m.stop()
        ok = ok + 1 if last < threshold else 0
        if ok >= need:
            break
    return round(time.perf_counter() - t_start, 1), (round(last, 2) if last is not None else None)


# --------------------------------------------------------------------------- measurement

def measure(fn, examples_per_call, warmup, window, windows, latency=False, max_foreign=None,
            max_windows=None, requiet=0.0):
    """Returns (per-window values, per-window foreign load, discarded windows' loads).
    For latency, values are the p50 ms of the calls in each window. With max_foreign, a window
    during which other processes used more than max_foreign cores is discarded and repeated
    (after waiting up to `requiet` s for the machine to go quiet and a short re-warm-up),
    up to max_windows windows in all (then the last ones are kept whatever the load)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < warmup:
        fn()
    values, loads, discarded, meter = [], [], [], LoadMeter()
    cpu_rates = []
    max_windows = max_windows or 4 * windows
    tried = 0
    while len(values) < windows:
        meter.start()
        n, lat = 0, []
        cpu0 = time.process_time()
        start = time.perf_counter()
        while True:
            t = time.perf_counter()
            fn()
            e = time.perf_counter()
            n += 1
            if latency:
                lat.append(e - t)
            if e - start >= window:
                break
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        load = round(meter.stop(), 2)
        tried += 1
        if max_foreign is not None and load > max_foreign and tried + (windows - len(values)) <= max_windows:
            discarded.append(load)
            if requiet > 0:
                wait_quiet(requiet)
                t1 = time.perf_counter()
                while time.perf_counter() - t1 < min(warmup, 0.5):
                    fn()
            continue
        loads.append(load)
        values.append(statistics.median(lat) * 1e3 if latency else n * examples_per_call / elapsed)
        cpu_rates.append(n * examples_per_call / cpu if cpu > 0 else 0.0)
    measure.last_cpu_rates = cpu_rates
    return values, loads, discarded


def summary(values, digits):
    return {"median": round(statistics.median(values), digits),
            "min": round(min(values), digits), "max": round(max(values), digits)}


# --------------------------------------------------------------------------- environment

def framework_version():
    try:
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"],
                           capture_output=True, text=True, timeout=10).stdout.strip()
        if v:
            return "pytorch " + v.split("+")[0].split(":")[-1]
    except Exception:
        pass
    return "pytorch " + torch.__version__


def blas_info():
    """Path of the OpenBLAS actually mapped into this process and the core it selected."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # make sure BLAS is loaded
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "blas" in os.path.basename(p) or "lapack" in os.path.basename(p):
                libs.add(p)
    info = {"blas_libraries_loaded": sorted(libs)}
    for p in sorted(libs):
        if "openblas" in os.path.basename(p):
            try:
                lib = ctypes.CDLL(p)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                info["openblas_core"] = lib.openblas_get_corename().decode()
                info["openblas_config"] = lib.openblas_get_config().decode().strip()
                info["openblas_num_threads"] = lib.openblas_get_num_threads()
                info["openblas_parallel"] = {0: "sequential", 1: "pthread", 2: "openmp"}.get(
                    lib.openblas_get_parallel(), "?")
            except (OSError, AttributeError):
                pass
            break
    return info


def env_info(threads):
    keys = ["LD_LIBRARY_PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES",
            "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "ATEN_CPU_CAPABILITY", "DNNL_MAX_CPU_ISA"]
    env = {k: os.environ.get(k) for k in keys}
    env["torch_num_threads"] = torch.get_num_threads()
    env["torch_num_interop_threads"] = torch.get_num_interop_threads()
    env["torch_version"] = torch.__version__
    env["mkldnn_available"] = torch.backends.mkldnn.is_available()
    cap = [l.split(":", 1)[1].strip() for l in torch.__config__.show().splitlines()
           if "CPU capability usage" in l]
    env["aten_cpu_capability"] = cap[0] if cap else None
    env.update(blas_info())
    env["python"] = platform.python_version()
    return env


# --------------------------------------------------------------------------- main

def prepare_infer(w, model, path, example_inputs):
    """Returns a callable(inputs) for inference under the chosen path."""
    model.eval()
    if path == "eager":
        def run(inputs):
            with torch.no_grad():
                return w.infer(model, inputs)
        return run
    if path == "inference_mode":
        def run(inputs):
            with torch.inference_mode():
                return w.infer(model, inputs)
        return run
    if path == "jit_freeze":
        with torch.no_grad():
            traced = torch.jit.trace(model, example_inputs)
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))

        def run(inputs):
            with torch.no_grad():
                return frozen(*inputs)
        return run
    raise SystemExit(f"unknown inference path {path}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=list(workloads.WORKLOADS))
    ap.add_argument("--threads", type=int, default=1, help="0 = torch default")
    ap.add_argument("--json", help="write results here")
    ap.add_argument("--flush-denormal", action="store_true",
                    help="torch.set_flush_denormal(True) first: subnormal floats become 0 (not PyTorch's default)")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--batch", type=int, help="override the workload's batch size")
    ap.add_argument("--metrics", default="train,infer,latency",
                    help="comma-separated subset of train,infer,latency")
    ap.add_argument("--train-path", choices=["eager", "channels_last"])
    ap.add_argument("--infer-path", choices=["eager", "inference_mode", "jit_freeze"])
    ap.add_argument("--latency-path", choices=["eager", "inference_mode", "jit_freeze"])
    ap.add_argument("--max-foreign", type=float, default=float(os.environ.get("BENCH_MAX_FOREIGN", 0.25)),
                    help="discard and repeat a window if other processes used more cores than this "
                         "(negative = keep every window)")
    ap.add_argument("--max-windows", type=int, default=None,
                    help="give up discarding after this many windows per metric (default 4 x --windows)")
    ap.add_argument("--requiet", type=float, default=float(os.environ.get("BENCH_REQUIET", 0)),
                    help="after discarding a busy window, wait up to S seconds for quiet")
    ap.add_argument("--wait-quiet", type=float, default=float(os.environ.get("BENCH_WAIT_QUIET", 60)),
                    help="wait up to S seconds for other processes to go idle before measuring")
    a = ap.parse_args(argv)
    if a.flush_denormal and not torch.set_flush_denormal(True):
        sys.exit("bench_torch: this CPU cannot flush denormals (torch.set_flush_denormal returned False)")

    if a.threads > 0:
        if a.threads != int(os.environ.get("OMP_NUM_THREADS", a.threads)):
            print(f"warning: OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} but --threads {a.threads}; "
                  "use run_torch.sh", file=sys.stderr)
        torch.set_num_threads(a.threads)
    else:  # 0 = leave torch's default (used to measure the untuned configuration)
        a.threads = torch.get_num_threads()
    w = workloads.get(a.workload)
    batch = a.batch or w.batch
    train_path, infer_path, latency_path = DEFAULT_PATHS[w.name]
    train_path = a.train_path or train_path
    infer_path = a.infer_path or infer_path
    latency_path = a.latency_path or a.infer_path or latency_path
    metrics = set(a.metrics.split(","))

    waited, load_before = wait_quiet(a.wait_quiet) if a.wait_quiet > 0 else (0.0, None)

    result = {"workload": w.name, "framework": framework_version()}
    if a.flush_denormal:
        result["flush_denormal"] = True
    loads, per_window, discarded, cpu_rate = {}, {}, {}, {}
    mf = a.max_foreign if a.max_foreign >= 0 else None

    def measure_(key, fn, ex, latency=False):
        v, loads[key], discarded[key] = measure(fn, ex, a.warmup, a.window, a.windows, latency, mf,
                                                a.max_windows, a.requiet)
        per_window[key] = [round(x, 4 if latency else 1) for x in v]
        cpu_rate[key] = round(statistics.median(measure.last_cpu_rates), 1)
        return v

    def cl(t):  # channels_last for 4-D image inputs
        return t.contiguous(memory_format=torch.channels_last) if t.dim() == 4 else t

    if "train" in metrics:
        model = w.make_model()
        if train_path == "channels_last":
            model = model.to(memory_format=torch.channels_last)
        opt = w.make_optimizer(model)
        data = w.make_data(batch, N_BATCHES)
        if train_path == "channels_last":
            data = [(tuple(cl(t) for t in inp), tgt) for inp, tgt in data]
        model.train()
        it = [0]

        def train_step():
            inputs, target = data[it[0] % N_BATCHES]
            it[0] += 1
            w.train_step(model, opt, inputs, target)

        v = measure_("train", train_step, batch)
        result["train_examples_per_second"] = summary(v, 1)
        del model, opt, data

    data = w.make_data(batch, N_BATCHES)
    data1 = [(tuple(t[:1] for t in inp), tgt[:1]) for inp, tgt in w.make_data(1, N_BATCHES)]
    if train_path == "channels_last":  # same memory format for inference
        data = [(tuple(cl(t) for t in inp), tgt) for inp, tgt in data]
        data1 = [(tuple(cl(t) for t in inp), tgt) for inp, tgt in data1]

    def fresh_model():
        m = w.make_model()
        return m.to(memory_format=torch.channels_last) if train_path == "channels_last" else m

    it = [0]
    if "infer" in metrics:
        run = prepare_infer(w, fresh_model(), infer_path, data[0][0])

        def infer_step():
            run(data[it[0] % N_BATCHES][0])
            it[0] += 1
        v = measure_("infer", infer_step, batch)
        result["infer_examples_per_second"] = summary(v, 1)
    if "latency" in metrics:
        run1 = prepare_infer(w, fresh_model(), latency_path, data1[0][0])

        def b1_step():
            run1(data1[it[0] % N_BATCHES][0])
            it[0] += 1
        v = measure_("latency", b1_step, 1, latency=True)
        result["latency_b1_ms"] = summary(v, 4)

    result["threads"] = a.threads
    result["batch"] = batch
    env = env_info(a.threads)
    env["train_path"], env["infer_path"], env["latency_path"] = train_path, infer_path, latency_path
    result["env"] = env
    # Not part of the shared schema: CPU used by other processes (cores, 0..2) during each
    # timed window, so that runs disturbed by other work on the shared machine can be spotted.
    result["windows"] = per_window
    # Examples per second of this process's CPU time (median over windows). With 1 thread this
    # approximates the rate on a dedicated core when other processes compete for the CPU; with
    # more threads it is not meaningful (OpenMP threads spin while waiting).
    result["examples_per_cpu_second"] = cpu_rate
    result["machine_load"] = {"foreign_cores_per_window": loads, "max_foreign_cores": mf,
                              "discarded_windows_foreign_cores": discarded, "waited_for_quiet_s": waited,
                              "foreign_cores_before": load_before}

    gf = 3 * w.fwd_flops / 1e9
    print(f"{w.name}  {result['framework']}  threads {a.threads}  batch {batch}  "
          f"BLAS core {env.get('openblas_core')}  paths {train_path}/{infer_path}/{latency_path}")
    print(f"{'metric':28s} {'median':>10s} {'min':>10s} {'max':>10s}   per window | other-process cores per window")
    for key, unit in [("train_examples_per_second", "ex/s"), ("infer_examples_per_second", "ex/s"),
                      ("latency_b1_ms", "ms")]:
        if key in result:
            s = result[key]
            lk = {"train_examples_per_second": "train", "infer_examples_per_second": "infer"}.get(key, "latency")
            fmt = "%10.4f" if unit == "ms" else "%10.1f"
            print(f"{key:28s} " + " ".join(fmt % s[k] for k in ("median", "min", "max")) + "   "
                  + " ".join((fmt % x).strip() for x in per_window[lk]) + f" | {loads[lk]}"
                  + (f" (discarded {len(discarded[lk])} busy windows)" if discarded[lk] else ""))
    print("examples per process-CPU-second (meaningful at 1 thread under load): "
          + ", ".join(f"{k} {v:.1f}" for k, v in cpu_rate.items()))
    if "train_examples_per_second" in result:
        print(f"approx train GFLOP/s (3x fwd matmul/conv FLOPs): "
              f"{gf * result['train_examples_per_second']['median']:.1f}")
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return result


if __name__ == "__main__":
    main()
