"""A/B experiments for the PyTorch settings: runs bench_torch.py under several variants,
one process at a time, interleaved over rounds, and summarizes.

    /usr/bin/python3 tune.py EXPERIMENT [--rounds R] [--threads "1 2"] [--workloads "mlp cnn"]

Experiments (see README.md for the results):
  blas        mlp train: untuned system default vs openmp OpenBLAS with several coretypes / L2 sizes
  aten        all workloads train: ATen CPU capability AVX2 (default) vs AVX512
  infer       all workloads infer + b1 latency: no_grad vs inference_mode vs jit_freeze
  cnn         cnn train + infer: contiguous vs channels_last
  omp         2 threads: OMP_WAIT_POLICY / GOMP_SPINCOUNT / OMP_PROC_BIND variants
Raw results go to tuning/EXPERIMENT-<timestamp>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
OB = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
ALL = ["mlp", "cnn", "rnn", "lstm", "gru", "bilstm", "ae", "seq2seq", "transformer"]
CLEAN = 0.3  # a run is "clean" if other processes used < CLEAN cores in every window


def tuned_env(t, **extra):
    e = {"LD_LIBRARY_PATH": OB, "OPENBLAS_CORETYPE": "SkylakeX", "OMP_NUM_THREADS": str(t),
         "OPENBLAS_NUM_THREADS": str(t), "MKL_NUM_THREADS": str(t), "OMP_WAIT_POLICY": "PASSIVE"}
    e.update(extra)
    return e


def experiments(t):
    """name -> list of (variant label, env dict (None values = unset), extra args, set threads?)"""
    return {
        "blas": [
            ("untuned: system default, no env", {}, [], True),
            ("openmp autodetect(Prescott)", tuned_env(t, OPENBLAS_CORETYPE=None), [], True),
            ("openmp Haswell", tuned_env(t, OPENBLAS_CORETYPE="Haswell"), [], True),
            ("openmp Haswell L2=512", tuned_env(t, OPENBLAS_CORETYPE="Haswell", OPENBLAS_L2_SIZE="512"), [], True),
            ("openmp SkylakeX L2=512", tuned_env(t, OPENBLAS_L2_SIZE="512"), [], True),
            ("openmp SkylakeX, default OMP wait", tuned_env(t, OMP_WAIT_POLICY=None), [], True),
            ("openmp SkylakeX + PASSIVE (chosen)", tuned_env(t), [], True),
        ],
        "aten": [
            ("ATen AVX2 (default)", tuned_env(t), [], True),
            ("ATen AVX512", tuned_env(t, ATEN_CPU_CAPABILITY="avx512"), [], True),
        ],
        "infer": [
            ("no_grad", tuned_env(t), ["--infer-path", "eager"], True),
            ("inference_mode", tuned_env(t), ["--infer-path", "inference_mode"], True),
            ("jit_freeze", tuned_env(t), ["--infer-path", "jit_freeze"], True),
        ],
        "cnn": [
            ("contiguous (NCHW)", tuned_env(t), ["--train-path", "eager"], True),
            ("channels_last (NHWC)", tuned_env(t), ["--train-path", "channels_last"], True),
        ],
        "omp": [
            ("default wait policy", tuned_env(t, OMP_WAIT_POLICY=None), [], True),
            ("OMP_WAIT_POLICY=PASSIVE", tuned_env(t, OMP_WAIT_POLICY="PASSIVE"), [], True),
            ("OMP_WAIT_POLICY=ACTIVE", tuned_env(t, OMP_WAIT_POLICY="ACTIVE"), [], True),
            ("OMP_PROC_BIND=close", tuned_env(t, OMP_WAIT_POLICY=None, OMP_PROC_BIND="close",
                                              OMP_PLACES="cores"), [], True),
        ],
    }


METRICS = {"blas": "train", "aten": "train", "infer": "infer,latency", "cnn": "train,infer",
           "omp": "train,infer"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment", choices=list(METRICS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", default="1 2")
    ap.add_argument("--workloads", default=None)
    ap.add_argument("--window", default="1.0")
    ap.add_argument("--windows", default="5")
    ap.add_argument("--warmup", default="2.0")
    ap.add_argument("--wait-quiet", default="30")
    ap.add_argument("--variants", default=None, help="comma-separated indexes of variants to run")
    a = ap.parse_args()
    default_w = {"blas": "mlp", "cnn": "cnn", "omp": "mlp cnn lstm transformer"}.get(a.experiment, " ".join(ALL))
    wls = (a.workloads or default_w).split()
    threads = [int(x) for x in a.threads.split()]
    runs = []
    os.makedirs(os.path.join(HERE, "tuning"), exist_ok=True)
    out = os.path.join(HERE, "tuning", f"{a.experiment}-{time.strftime('%Y%m%d-%H%M%S')}.json")
    for r in range(a.rounds):
        for t in threads:
            variants = experiments(t)[a.experiment]
            if a.variants:
                variants = [variants[int(i)] for i in a.variants.split(",")]
            for w in wls:
                for label, env_over, extra, set_threads in variants:
                    env = {k: v for k, v in os.environ.items()
                           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_LIBRARY_PATH")}
                    for k, v in env_over.items():
                        if v is None:
                            env.pop(k, None)
                        else:
                            env[k] = v
                    with tempfile.NamedTemporaryFile(suffix=".json") as jf:
                        cmd = [PY, os.path.join(HERE, "bench_torch.py"), w, "--json", jf.name,
                               "--metrics", METRICS[a.experiment], "--window", a.window,
                               "--windows", a.windows, "--warmup", a.warmup, "--wait-quiet", a.wait_quiet]
                        # "untuned" leaves torch's own default thread count (= number of cores)
                        cmd += ["--threads", str(t)] if set_threads else ["--threads", "0"]
                        p = subprocess.run(cmd + extra, env=env, capture_output=True, text=True)
                        if p.returncode != 0:
                            print(f"FAILED {w} t{t} {label}: {p.stderr[-2000:]}", file=sys.stderr)
                            continue
                        res = json.load(open(jf.name))
                    loads = res.get("machine_load", {}).get("foreign_cores_per_window", {})
                    mx = max((max(v) for v in loads.values() if v), default=0.0)
                    rec = {"round": r, "threads": t, "workload": w, "variant": label, "max_foreign": mx,
                           "result": res}
                    runs.append(rec)
                    vals = "  ".join(f"{k.split('_')[0]} {res[k]['median']:.4g}" for k in
                                     ("train_examples_per_second", "infer_examples_per_second", "latency_b1_ms")
                                     if k in res)
                    print(f"r{r} t{t} {w:11s} {label:34s} {vals}  (other cores <= {mx:.2f})", flush=True)
                    json.dump(runs, open(out, "w"), indent=1)
    summarize(runs)
    print(f"raw: {out}")


def summarize(runs):
    print("\nSummary: median over rounds of each run's median [min..max of run medians]; "
          f"clean = runs where other processes used < {CLEAN} cores")
    keys = [("train_examples_per_second", "train ex/s"), ("infer_examples_per_second", "infer ex/s"),
            ("latency_b1_ms", "b1 ms")]
    groups = {}
    for x in runs:
        groups.setdefault((x["workload"], x["threads"], x["variant"]), []).append(x)
    for (w, t, v), xs in groups.items():
        parts = []
        for k, name in keys:
            vals = [x["result"][k]["median"] for x in xs if k in x["result"]]
            clean = [x["result"][k]["median"] for x in xs if k in x["result"] and x["max_foreign"] < CLEAN]
            if vals:
                parts.append(f"{name} {statistics.median(vals):.4g} [{min(vals):.4g}..{max(vals):.4g}]"
                             + (f" clean {statistics.median(clean):.4g} (n={len(clean)})" if clean else " clean -"))
        print(f"{w:11s} t{t} {v:34s} " + " | ".join(parts))


if __name__ == "__main__":
    main()
