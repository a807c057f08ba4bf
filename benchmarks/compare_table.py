"""The table of benchmarks/compare.sh: Ingot against libtorch 2.7.1 (DJL) and PyTorch 1.13.

    compare_table.py OUTBASE MACHINE [WORKLOAD THREADS INGOT_JSON LIBTORCH_JSON PYTORCH_JSON]...

A missing or empty JSON file means that side was not run (its columns read n/a). Prints the Markdown table and
writes OUTBASE.md and OUTBASE.json (all raw results, machine, JDK, thread counts, library versions).
"""
import json
import os
import sys


def load(p):
    return json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) > 0 else None


def med(d, k):
    v = (d or {}).get(k)
    return v.get("median") if isinstance(v, dict) else None


def num(x, fmt):
    return "n/a" if x is None else fmt % x


def ratio(a, b):
    return "n/a" if a is None or not b else "%.2f" % (a / b)


def main(argv):
    base, machine, rest = argv[1], argv[2], argv[3:]
    rows = []
    for i in range(0, len(rest), 5):
        w, t, ij, dj, pj = rest[i:i + 5]
        rows.append({"workload": w, "threads": int(t), "ingot": load(ij), "libtorch": load(dj),
                     "pytorch": load(pj)})
    jdks = sorted({str(r["ingot"].get("jdk", "?")) for r in rows})
    head = [f"Machine: {machine}; Ingot on JDK {', '.join(jdks)}; threads as in the table."]
    lt = next((r["libtorch"] for r in rows if r["libtorch"]), None)
    if lt:
        e = lt.get("env", {})
        info = [x for x in e.get("build_info", []) if not x.startswith("libtorch")]
        head.append(f"libtorch: {lt.get('framework')} (official CPU build), features {e.get('torch_features')}, "
                    f"JVM {e.get('jdk')}; " + "; ".join(info)
                    + ". Intra-op threads = N, inter-op 1, OMP_NUM_THREADS = MKL_NUM_THREADS = N.")
    pt = next((r["pytorch"] for r in rows if r["pytorch"]), None)
    if pt:
        env = pt.get("env", {})
        head.append(f"PyTorch: {pt.get('framework')} (torch {env.get('torch_version')}), OpenBLAS "
                    f"{env.get('openblas_parallel', '?')} build, core {env.get('openblas_core')} "
                    f"(OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}), OMP/OPENBLAS threads = N, "
                    f"OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY')}, ATen {env.get('aten_cpu_capability')}.")
    flush = {name: sorted({bool((r[key] or {}).get("flush_denormal")) for r in rows if r[key]})
             for name, key in (("libtorch", "libtorch"), ("PyTorch", "pytorch"))}
    said = [f"{n} {'with' if v == [True] else 'without' if v == [False] else 'with and without'}"
            for n, v in flush.items() if v]
    if said:
        head.append("Subnormals: " + ", ".join(said) + " torch.set_flush_denormal(True) (PyTorch's default is "
                    "without); Ingot's optimizers flush their moments below 1e-30 to 0.")
    lines = head + [
        "",
        "| workload | threads | Ingot train ex/s | libtorch 2.7.1 | PyTorch 1.13 | Ingot/libtorch | Ingot/PyTorch "
        "| Ingot infer ex/s | libtorch | PyTorch | Ingot/libtorch "
        "| Ingot b1 ms | libtorch b1 ms | PyTorch b1 ms | libtorch/Ingot b1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    warn = []
    for r in rows:
        i_, d_, p_ = r["ingot"], r["libtorch"], r["pytorch"]
        it, dt, pt_ = (med(x, "train_examples_per_second") for x in (i_, d_, p_))
        ii, di, pi = (med(x, "infer_examples_per_second") for x in (i_, d_, p_))
        il, dl, pl = (med(x, "latency_b1_ms") for x in (i_, d_, p_))
        lines.append(
            f"| {r['workload']} | {r['threads']} | {num(it, '%.0f')} | {num(dt, '%.0f')} | {num(pt_, '%.0f')} "
            f"| {ratio(it, dt)} | {ratio(it, pt_)} "
            f"| {num(ii, '%.0f')} | {num(di, '%.0f')} | {num(pi, '%.0f')} | {ratio(ii, di)} "
            f"| {num(il, '%.3f')} | {num(dl, '%.3f')} | {num(pl, '%.3f')} | {ratio(dl, il)} |")
        for name, x in (("libtorch", d_), ("PyTorch", p_)):
            if x is None:
                continue
            if i_.get("batch") is not None and x.get("batch") is not None and i_.get("batch") != x.get("batch"):
                warn.append(f"{r['workload']}: batch differs (Ingot {i_.get('batch')}, {name} {x.get('batch')})")
            loads = (x.get("machine_load", {}) or {}).get("foreign_cores_per_window", {}) or {}
            busy = max((max(v) for v in loads.values() if v), default=0)
            if busy > 0.25:
                warn.append(f"{r['workload']} t{r['threads']}: other processes used up to {busy:.2f} cores "
                            f"during the {name} run; numbers may be low")
        if i_.get("threads") is not None and i_.get("threads") != r["threads"]:
            warn.append(f"{r['workload']}: Ingot reports threads={i_.get('threads')}, asked {r['threads']}")
    lines += ["", "Ratios above 1 mean Ingot is faster (batch-1 latency: libtorch's time over Ingot's)."]
    lines += [""] + [f"Warning: {w}" for w in warn]
    table = "\n".join(lines).rstrip() + "\n"
    print(table)
    json.dump({"machine": machine, "jdk": jdks, "results": rows, "table_markdown": table},
              open(base + ".json", "w"), indent=2)
    open(base + ".md", "w").write(table)
    print(f"written {base}.json and {base}.md", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
