#!/usr/bin/env bash
# Thread scaling of the nine workloads (issue 10): `bin/ingot bench --profile` at 1 and N threads (default 2) for
# each example, then a Markdown table: step time at 1 and N threads, speed-up, parallel efficiency, the serial
# fraction that Amdahl's law gives for that speed-up, the speed-up it predicts at 16 threads, and the kernels that
# scale worst (share of the step at N threads, efficiency).
#
#   benchmarks/scaling.sh [--threads N] [--out DIR] [WORKLOAD...]
#
# Writes DIR/<timestamp>-scaling.{json,md} (default DIR: benchmarks/results). JAVA_HOME as for bin/ingot
# (default: JDK 25 if installed). Run it on an otherwise idle machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS=2
OUT="$ROOT/benchmarks/results"
WORKLOADS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "scaling.sh: unknown option $1" >&2; exit 2 ;;
    *) WORKLOADS+=("$1"); shift ;;
  esac
done
source "$ROOT/benchmarks/workloads.sh"
[ ${#WORKLOADS[@]} -eq 0 ] && WORKLOADS=("${ALL[@]}")
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
[ -z "${JAVA_HOME:-}" ] && [ -x "$JDK25/bin/java" ] && export JAVA_HOME=$JDK25
mkdir -p "$OUT"
stamp=$(date -u +%Y%m%d-%H%M%S)
tmp=$(mktemp -d)
for w in "${WORKLOADS[@]}"; do
  f=${FILE[$w]:?unknown workload $w}
  echo "== $w ($f), $THREADS threads" >&2
  "$ROOT/bin/ingot" bench "$ROOT/dsl-examples/$f" --threads "$THREADS" --profile --warmup 2 --window 2 --windows 3 \
      --json "$tmp/$w.json" >&2
done
python3 - "$tmp" "$OUT/$stamp-scaling" "$THREADS" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" "${WORKLOADS[@]}" <<'PY'
import json, sys, os
tmp, base, threads, cores, cpu, *ws = sys.argv[1:]
rows, all_ = [], {}
for w in ws:
    r = json.load(open(os.path.join(tmp, w + ".json")))
    p = r["profile"]
    all_[w] = r
    worst = sorted((k for k in p["kernels"] if k["share"] >= 0.02), key=lambda k: k["efficiency"])[:2]
    worst_s = "; ".join("%s (%.0f%%, eff %.2f)" % (k["kernel"].split("  ")[0][:40], 100 * k["share"], k["efficiency"]) for k in worst)
    rows.append("| %s | %.2f | %.2f | %.2fx | %.2f | %.3f | %.1fx | %s |" % (w, p["step_ms_1_thread"], p["step_ms"], p.get("speedup", 1),
                p.get("efficiency", 1), p.get("serial_fraction", 0), p.get("predicted_speedup_16_threads", 1), worst_s))
jdk = next(iter(all_.values()))["jdk"] if all_ else "?"
md = ["Thread scaling, %s threads; %s cores (%s); JDK %s. Step = one training step at the example's batch size." % (threads, cores, cpu, jdk), "",
      "| workload | step ms, 1 thread | step ms, %s threads | speed-up | efficiency | serial fraction (Amdahl) | predicted speed-up, 16 threads | least efficient kernels (share, efficiency) |" % threads,
      "|---|---:|---:|---:|---:|---:|---:|---|"] + rows
open(base + ".md", "w").write("\n".join(md) + "\n")
json.dump(all_, open(base + ".json", "w"), indent=1)
print("\n".join(md))
print("wrote %s.md and .json" % base, file=sys.stderr)
PY
rm -rf "$tmp"
