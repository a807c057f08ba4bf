#!/usr/bin/env bash
# Compare Ingot against tuned PyTorch on the reference workloads (WORKLOADS.md).
#
#   benchmarks/compare.sh [WORKLOAD...] [--threads "1 2"] [--out DIR]
#
# For each workload and thread count, runs `bin/ingot bench dsl-examples/<file> --threads N
# --json F`, then the PyTorch benchmark (benchmarks/pytorch/run_torch.sh), one after the other,
# each in its own process, never both at once. Prints a Markdown table and writes the combined
# results to benchmarks/results/<timestamp>-<workloads>.json (and .md).
#
# Environment:
#   JAVA_HOME   JDK for bin/ingot (default /usr/lib/jvm/temurin-25-jdk-amd64 if it exists)
#   INGOT       Ingot CLI to run (default: <project root>/bin/ingot)
#   TORCH_ARGS  extra arguments for bench_torch.py (e.g. "--windows 3 --window 1" for a quick run)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
THREADS="1 2"
OUT="$ROOT/benchmarks/results"
WORKLOADS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --threads=*) THREADS=${1#*=}; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) WORKLOADS+=("$1"); shift ;;
  esac
done

# workload id -> example file (WORKLOADS.md)
declare -A FILE=(
  [mlp]=mnist_mlp.ingot [cnn]=mnist_cnn.ingot [rnn]=char_rnn.ingot [lstm]=char_lstm.ingot
  [gru]=char_gru.ingot [bilstm]=sentiment_bilstm.ingot [ae]=mnist_autoencoder.ingot
  [seq2seq]=seq2seq.ingot [transformer]=char_transformer.ingot
)
ALL=(mlp cnn rnn lstm gru bilstm ae seq2seq transformer)
[ ${#WORKLOADS[@]} -eq 0 ] && WORKLOADS=("${ALL[@]}")
for w in "${WORKLOADS[@]}"; do
  [ -n "${FILE[$w]:-}" ] || { echo "compare.sh: unknown workload '$w' (known: ${ALL[*]})" >&2; exit 2; }
done

INGOT=${INGOT:-$ROOT/bin/ingot}
if [ ! -x "$INGOT" ]; then
  echo "compare.sh: Ingot CLI not found or not executable: $INGOT" >&2
  echo "  build it first (bin/ingot at the project root), or point INGOT at it" >&2
  exit 1
fi
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -n "${JAVA_HOME:-}" ] && export PATH="$JAVA_HOME/bin:$PATH"
if ! $PY -c 'import torch' 2>/dev/null; then echo "compare.sh: $PY has no torch" >&2; exit 1; fi

STAMP=$(date +%Y%m%d-%H%M%S)
if [ ${#WORKLOADS[@]} -eq ${#ALL[@]} ]; then TAG=all; else TAG=$(IFS=-; echo "${WORKLOADS[*]}"); fi
TMP=$(mktemp -d /tmp/ingot-compare.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

PAIRS=()
for w in "${WORKLOADS[@]}"; do
  for t in $THREADS; do
    ij="$TMP/$w-t$t-ingot.json"; pj="$TMP/$w-t$t-torch.json"
    echo ">>> $w, $t thread(s): Ingot" >&2
    if ! (cd "$ROOT" && "$INGOT" bench "dsl-examples/${FILE[$w]}" --threads "$t" --json "$ij") >&2; then
      echo "compare.sh: bin/ingot bench failed for $w ($t threads)" >&2; exit 1
    fi
    [ -s "$ij" ] || { echo "compare.sh: bin/ingot wrote no JSON to $ij" >&2; exit 1; }
    echo ">>> $w, $t thread(s): PyTorch" >&2
    # shellcheck disable=SC2086
    "$ROOT/benchmarks/pytorch/run_torch.sh" "$w" "$t" "$pj" ${TORCH_ARGS:-} >&2
    PAIRS+=("$w" "$t" "$ij" "$pj")
  done
done

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
$PY - "$OUT/$STAMP-$TAG" "$CPU" "${PAIRS[@]}" <<'EOF'
import json, sys
base, cpu, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = []
for i in range(0, len(rest), 4):
    w, t, ij, pj = rest[i:i + 4]
    rows.append({"workload": w, "threads": int(t),
                 "ingot": json.load(open(ij)), "pytorch": json.load(open(pj))})

def med(d, k):
    v = d.get(k)
    return v.get("median") if isinstance(v, dict) else None

def num(x, fmt):
    return "n/a" if x is None else fmt % x

def ratio(a, b):
    return "n/a" if a is None or not b else "%.2f" % (a / b)

jdks = sorted({str(r["ingot"].get("jdk", "?")) for r in rows})
fw = sorted({r["pytorch"].get("framework", "pytorch") for r in rows})
env = rows[0]["pytorch"].get("env", {}) if rows else {}
blas = (f"OpenBLAS {env.get('openblas_parallel', '?')} build, core {env.get('openblas_core')} "
        f"(OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}, OPENBLAS_L2_SIZE "
        f"{'unset' if not env.get('OPENBLAS_L2_SIZE') else env['OPENBLAS_L2_SIZE']}), "
        f"OMP/OPENBLAS threads = torch threads, OMP_WAIT_POLICY={env.get('OMP_WAIT_POLICY')}, "
        f"ATen {env.get('aten_cpu_capability')}")
lines = [f"Machine: {cpu}; JDK: {', '.join(jdks)}; {', '.join(fw)} (torch {env.get('torch_version')}); "
         f"BLAS: {blas}", "",
         "| workload | threads | Ingot train ex/s | PyTorch train ex/s | ratio (Ingot/PyTorch) "
         "| Ingot infer ex/s | PyTorch infer ex/s | ratio (Ingot/PyTorch) "
         "| Ingot b1 latency ms | PyTorch b1 latency ms |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
warn = []
for r in rows:
    I, P = r["ingot"], r["pytorch"]
    it, pt = med(I, "train_examples_per_second"), med(P, "train_examples_per_second")
    ii, pi = med(I, "infer_examples_per_second"), med(P, "infer_examples_per_second")
    il, pl = med(I, "latency_b1_ms"), med(P, "latency_b1_ms")
    lines.append(f"| {r['workload']} | {r['threads']} | {num(it, '%.0f')} | {num(pt, '%.0f')} | {ratio(it, pt)} "
                 f"| {num(ii, '%.0f')} | {num(pi, '%.0f')} | {ratio(ii, pi)} "
                 f"| {num(il, '%.3f')} | {num(pl, '%.3f')} |")
    if I.get("batch") is not None and I.get("batch") != P.get("batch"):
        warn.append(f"{r['workload']}: batch differs (Ingot {I.get('batch')}, PyTorch {P.get('batch')})")
    if I.get("threads") is not None and I.get("threads") != r["threads"]:
        warn.append(f"{r['workload']}: Ingot reports threads={I.get('threads')}, asked {r['threads']}")
    busy = max((max(v) for v in P.get("machine_load", {}).get("foreign_cores_per_window", {}).values()
                if v), default=0)
    if busy > 0.25:
        warn.append(f"{r['workload']} t{r['threads']}: other processes used up to {busy:.2f} cores "
                    "during the PyTorch run; numbers may be low")
lines += [""] + [f"Warning: {w}" for w in warn]
table = "\n".join(lines).rstrip() + "\n"
print(table)
json.dump({"machine": cpu, "results": rows, "table_markdown": table}, open(base + ".json", "w"), indent=2)
open(base + ".md", "w").write(table)
print(f"written {base}.json and {base}.md", file=sys.stderr)
EOF
