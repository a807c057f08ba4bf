"""The table of benchmarks/kernels.sh: Ingot vs libtorch 2.7.1 kernels in GFLOP/s, beside the FMA peak.

    kernels_table.py RESULTDIR [--readme benchmarks/README.md]

RESULTDIR holds the JMH JSON files written by kernels.sh (peak.json, ingot-matmul.json, ingot-conv.json,
libtorch-t<N>.json) and libtorch-build-info.txt. Prints the Markdown table, writes RESULTDIR/table.md and, with
--readme, replaces the part of the README between "<!-- kernels:begin -->" and "<!-- kernels:end -->".
"""
import glob
import json
import os
import platform
import re
import subprocess
import sys

BEGIN, END = "<!-- kernels:begin -->", "<!-- kernels:end -->"
# MFLOP of one call of the CNN's convolutions at batch 64 (forward; each backward costs the same)
CONV_MFLOP = {"conv1": 2 * 64 * 32 * 1 * 9 * 26 * 26 / 1e6, "conv2": 2 * 64 * 64 * 32 * 9 * 24 * 24 / 1e6}


def jmh(path):
    return json.load(open(path)) if os.path.exists(path) else []


NOISY = []


def gflops(entry):
    """GFLOP/s of a throughput benchmark with a kflop counter (JMH's mean over the measured iterations)."""
    sec = entry.get("secondaryMetrics", {}).get("kflop")
    if not sec:
        return None
    err = sec.get("scoreError")
    if isinstance(err, (int, float)) and err == err and err > 0.25 * sec["score"]:
        NOISY.append(entry["params"].get("shape", entry["benchmark"].split(".")[-1]) if entry.get("params") else
                     entry["benchmark"].split(".")[-1])
    return sec["score"]


def main(argv):
    out = argv[1]
    readme = argv[argv.index("--readme") + 1] if "--readme" in argv else None
    peak = [gflops(e) for e in jmh(os.path.join(out, "peak.json"))]
    peak = max([p for p in peak if p], default=None)
    ingot, lt = {}, {}
    for e in jmh(os.path.join(out, "ingot-matmul.json")):
        ingot[(e["params"]["shape"], int(e["params"]["threads"]))] = gflops(e)
    for e in jmh(os.path.join(out, "ingot-conv.json")):
        op = e["params"]["op"]
        t = int(e["params"]["threads"])
        ms = e["primaryMetric"]["score"]  # ms per call
        layer, kind = op.split(".")
        ingot[(op, t, "ms")] = ms
    # Ingot conv GFLOP/s: forward, and train = forward + backwardInput + backwardWeight (3x the forward FLOPs)
    for (key) in list(ingot):
        if len(key) == 3:
            op, t, _ = key
            layer, kind = op.split(".")
            if kind == "forward":
                ingot[(op, t)] = CONV_MFLOP[layer] / ingot[key]
    for t in {k[1] for k in ingot if len(k) == 3}:
        parts = [ingot.get((f"conv2.{k}", t, "ms")) for k in ("forward", "backwardInput", "backwardWeight")]
        if all(parts):
            ingot[("conv2.train", t)] = 3 * CONV_MFLOP["conv2"] / sum(parts)
    for f in sorted(glob.glob(os.path.join(out, "libtorch-t*.json"))):
        for e in jmh(f):
            lt[(e["params"]["shape"], int(e["params"]["threads"]))] = gflops(e)
    threads = sorted({k[1] for k in list(ingot) + list(lt)})
    shapes = []
    for k in list(ingot) + list(lt):
        if len(k) == 2 and k[0] not in shapes:
            shapes.append(k[0])
    shapes.sort(key=lambda s: (s.startswith("conv"), 0))

    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = re.search(r"Model name:\s*(.*)", cpu)
    mhz = re.search(r"cpu MHz\s*:\s*([\d.]+)", open("/proc/cpuinfo").read())
    info = open(os.path.join(out, "libtorch-build-info.txt")).read().strip().splitlines() \
        if os.path.exists(os.path.join(out, "libtorch-build-info.txt")) else []
    jdk = None
    for name in ("ingot-matmul.json", "peak.json"):
        d = jmh(os.path.join(out, name))
        if d:
            jdk = f"{d[0].get('vmName', '')} {d[0].get('jdkVersion', '')}".strip()
            break
    lines = [f"Run `{os.path.basename(out)}`: {model.group(1) if model else platform.processor()}, "
             f"{os.cpu_count()} cores, nominal {mhz.group(1) if mhz else '?'} MHz; Ingot on {jdk}; "
             + "; ".join(x for x in info if not x.startswith("libtorch")) + ".",
             "",
             "FMA peak of one core, measured (PeakBench, 16 independent 512-bit FMA chains): "
             + (f"**{peak:.0f} GFLOP/s**; 2 cores: {2 * peak:.0f}." if peak else "not measured."),
             "",
             "| shape (MxKxN:ab or conv) | " + " | ".join(
                 f"Ingot {t}T | libtorch {t}T | Ingot/libtorch {t}T | Ingot % of peak {t}T" for t in threads) + " |",
             "|---|" + "---:|" * (4 * len(threads))]
    for s in shapes:
        cells = []
        for t in threads:
            i, l = ingot.get((s, t)), lt.get((s, t))
            p = peak * t if peak else None
            cells += ["n/a" if i is None else f"{i:.0f}", "n/a" if l is None else f"{l:.0f}",
                      "n/a" if not (i and l) else f"{i / l:.2f}",
                      "n/a" if not (i and p) else f"{100 * i / p:.0f}%"]
        lines.append(f"| `{s}` | " + " | ".join(cells) + " |")
    lines += ["", "GFLOP/s = 2*M*N*K per call (convolutions: forward FLOPs; `conv2.train` = forward + both "
                  "backward passes = 3x). Ingot's `conv2.train` is the sum of Conv2dBench's forward, "
                  "backwardInput and backwardWeight times. JMH mean of the measured iterations."]
    if NOISY:
        lines += ["", f"Warning: {len(NOISY)} results have a JMH error above 25% of the score (a busy machine?): "
                      + ", ".join(sorted(set(NOISY)))]
    table = "\n".join(lines) + "\n"
    print(table)
    open(os.path.join(out, "table.md"), "w").write(table)
    if readme:
        text = open(readme).read()
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN) + len(BEGIN)] + "\n" + table + text[text.index(END):]
        else:
            text = text.rstrip() + "\n\n" + BEGIN + "\n" + table + END + "\n"
        open(readme, "w").write(text)
        print(f"table written into {readme}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
