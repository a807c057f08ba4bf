#!/usr/bin/env bash
# Compare Ingot against libtorch 2.7.1 (MKL + oneDNN, through DJL) and Debian's PyTorch 1.13 on the
# reference workloads (WORKLOADS.md).
#
#   benchmarks/compare.sh [WORKLOAD...] [--threads "1 2"] [--rounds N] [--out DIR] [--no-libtorch] [--no-pytorch] [--no-pin]
#                         [--torch-default-denormals]
#
# For each workload and thread count, runs `bin/ingot bench dsl-examples/<file> --threads N
# --json F`, then the libtorch 2.7.1 benchmark (benchmarks/libtorch/run_djl.sh), then the PyTorch
# 1.13 benchmark (benchmarks/pytorch/run_torch.sh), one after the other, each in its own process,
# never two at once. With --rounds N (default 1) the three runs of a workload and thread count are repeated
# N times in turn and each framework keeps its best run (highest median train rate): on this VM the second core
# is sometimes shared with other guests for minutes (a two-process spin probe then gets 60% on it), and
# alternating rounds give both sides the same chance at a quiet machine. Before each multi-thread measurement
# a 2-second probe of two spinning processes records how much of the second core there was (probe.txt); every
# 1-thread run is pinned (taskset) to the quieter of the first two cores, measured just before it (--no-pin: not). Prints a Markdown table and writes the combined results (with machine, JDK,
# thread counts, library versions) to benchmarks/results/<timestamp>-<workloads>.json (and .md).
# Both baselines run with torch.set_flush_denormal(True) (libtorch: run_djl.sh --flush-denormal, built on JDK 22+;
# PyTorch: bench_torch.py --flush-denormal): subnormal floats cost an Intel core a microcode assist per instruction,
# PyTorch's default keeps them, and on the mlp and ae workloads its optimizer state decays into them (libtorch's mlp
# train rate doubles with the flag). Ingot's optimizers flush their own moments, so the strongest baseline is the
# one with the flag; --torch-default-denormals measures PyTorch's default instead.
# The libtorch side needs `JAVA_HOME=<JDK 22+> mvn -B -f benchmarks/libtorch/pom.xml package` once (downloads DJL and
# the 112 MB native jar from Maven Central); without it, or with --no-libtorch, its column is n/a.
#
# Environment:
#   JAVA_HOME    JDK for bin/ingot and the DJL run (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   INGOT        Ingot CLI to run (default: <project root>/bin/ingot)
#   INGOT_ARGS   extra arguments for bin/ingot bench
#   DJL_ARGS     extra arguments for the libtorch benchmark (--warmup S --window S --windows N)
#   TORCH_ARGS   extra arguments for bench_torch.py (e.g. "--windows 3 --window 1" for a quick run)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
THREADS="1 2"
OUT="$ROOT/benchmarks/results"
WORKLOADS=()
NO_DJL=0
NO_PT=0
ROUNDS=1
PIN_ONE=1
FLUSH=(--flush-denormal)
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --threads=*) THREADS=${1#*=}; shift ;;
    --out) OUT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --no-libtorch) NO_DJL=1; shift ;;
    --no-pytorch) NO_PT=1; shift ;;
    --no-pin) PIN_ONE=0; shift ;;
    --torch-default-denormals) FLUSH=(); shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) WORKLOADS+=("$1"); shift ;;
  esac
done

# workload id -> example file (WORKLOADS.md)
source "$ROOT/benchmarks/workloads.sh"
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
if [ "$NO_PT" = 0 ] && ! $PY -c 'import torch' 2>/dev/null; then echo "compare.sh: $PY has no torch" >&2; exit 1; fi
DJL="$ROOT/benchmarks/libtorch/run_djl.sh"
if [ "$NO_DJL" = 0 ] && [ ! -s "$ROOT/benchmarks/libtorch/target/classpath.txt" ]; then
  echo "compare.sh: the libtorch baseline is not built (JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -f benchmarks/libtorch/pom.xml package);" \
       "its column will be n/a" >&2
  NO_DJL=1
fi
if [ "$NO_DJL" = 0 ] && [ ${#FLUSH[@]} -gt 0 ] && [ ! -s "$ROOT/benchmarks/libtorch/target/classes/dev/ingot/bench/libtorch/FlushDenormal.class" ]; then
  echo "compare.sh: the libtorch baseline was built on JDK 17, without --flush-denormal; rebuild it:" \
       "JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -f benchmarks/libtorch/pom.xml package" \
       "(or measure PyTorch's default with --torch-default-denormals)" >&2
  exit 1
fi

STAMP=$(date +%Y%m%d-%H%M%S)
if [ ${#WORKLOADS[@]} -eq ${#ALL[@]} ]; then TAG=all; else TAG=$(IFS=-; echo "${WORKLOADS[*]}"); fi
TMP=$(mktemp -d /tmp/ingot-compare.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

# How much of a second core a second process gets right now: two busy loops for 2 s, the slower one's count
# against the faster one's (1.00: two full cores; 0.5: the two share one).
probe() {
  local spin='BEGIN{n=0; while(1){n++; if(n%1000000==0) print n > "/dev/stderr"}}'
  (timeout 2 awk "$spin" 2>&1 | tail -1 > "$TMP/probe-a") &
  (timeout 2 awk "$spin" 2>&1 | tail -1 > "$TMP/probe-b") &
  wait
  awk -v a="$(cat "$TMP/probe-a")" -v b="$(cat "$TMP/probe-b")" \
    'BEGIN{ if (a+0 == 0 || b+0 == 0) print "n/a"; else printf "%.2f\n", (a < b ? a / b : b / a) }'
}

# The quieter of the first two cores right now: a busy loop pinned on each, both at once, for 1 s. A 1-thread run
# goes to that core (every side picks again just before it runs): on this VM one core is at times shared with another
# guest, and an unpinned 1-thread process landing there ran 20-30% slower in all its kernels alike.
quietcore() {
  local spin='BEGIN{n=0; while(1){n++; if(n%1000000==0) print n > "/dev/stderr"}}'
  (timeout 1 taskset -c 0 awk "$spin" 2>&1 | tail -1 > "$TMP/core-0") &
  (timeout 1 taskset -c 1 awk "$spin" 2>&1 | tail -1 > "$TMP/core-1") &
  wait
  awk -v a="$(cat "$TMP/core-0")" -v b="$(cat "$TMP/core-1")" 'BEGIN{ printf "%d %.2f\n", (b+0 > a+0 ? 1 : 0), (a+0 > 0 && b+0 > 0 ? (a < b ? a / b : b / a) : 0) }'
}

# pin WORKLOAD THREADS ROUND SIDE: sets PIN to the taskset prefix of a 1-thread run (empty otherwise) and logs the core
pin() {
  PIN=()
  if [ "$2" = 1 ] && [ "$PIN_ONE" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    local q; q=$(quietcore)
    PIN=(taskset -c "${q%% *}")
    echo "$1 t=1 round $3: $4 pinned to core ${q%% *} (the other core's busy loop ran at ${q##* } of its speed)" >> "$PROBES"
  fi
}

# best_of JSON...: the file whose train (else infer) median rate is highest
best_of() {
  $PY - "$@" <<'PYEOF'
import json, sys
def rate(f):
    try:
        d = json.load(open(f))
    except Exception:
        return -1
    for k in ("train_examples_per_second", "infer_examples_per_second"):
        v = d.get(k)
        if isinstance(v, dict): return v.get("median", -1)
        if isinstance(v, (int, float)): return v
    return -1
print(max(sys.argv[1:], key=rate))
PYEOF
}

RUNS=()
PROBES="$TMP/probe.txt"
: > "$PROBES"
PIN=()
for w in "${WORKLOADS[@]}"; do
  for t in $THREADS; do
    ijs=(); djs=(); pjs=()
    for r in $(seq 1 "$ROUNDS"); do
      ij="$TMP/$w-t$t-r$r-ingot.json"; dj="$TMP/$w-t$t-r$r-libtorch.json"; pj="$TMP/$w-t$t-r$r-torch.json"
      if [ "$t" -gt 1 ]; then echo "$w t=$t round $r: second core $(probe) (before Ingot)" >> "$PROBES"; fi
      echo ">>> $w, $t thread(s), round $r/$ROUNDS: Ingot" >&2
      pin "$w" "$t" "$r" Ingot
      # shellcheck disable=SC2086
      if ! (cd "$ROOT" && "${PIN[@]}" "$INGOT" bench "dsl-examples/${FILE[$w]}" --threads "$t" --json "$ij" ${INGOT_ARGS:-}) >&2; then
        echo "compare.sh: bin/ingot bench failed for $w ($t threads)" >&2; exit 1
      fi
      [ -s "$ij" ] || { echo "compare.sh: bin/ingot wrote no JSON to $ij" >&2; exit 1; }
      ijs+=("$ij")
      if [ "$NO_DJL" = 0 ]; then
        if [ "$t" -gt 1 ]; then echo "$w t=$t round $r: second core $(probe) (before libtorch)" >> "$PROBES"; fi
        echo ">>> $w, $t thread(s), round $r/$ROUNDS: libtorch 2.7.1 (DJL)" >&2
        pin "$w" "$t" "$r" libtorch
        # shellcheck disable=SC2086
        if ! "${PIN[@]}" "$DJL" "$w" "$t" "$dj" ${FLUSH[@]+"${FLUSH[@]}"} ${DJL_ARGS:-} >&2; then
          echo "compare.sh: the libtorch run failed for $w ($t threads)" >&2; exit 1
        fi
        djs+=("$dj")
      fi
      if [ "$NO_PT" = 0 ]; then
        echo ">>> $w, $t thread(s), round $r/$ROUNDS: PyTorch 1.13" >&2
        pin "$w" "$t" "$r" PyTorch
        # shellcheck disable=SC2086
        "${PIN[@]}" "$ROOT/benchmarks/pytorch/run_torch.sh" "$w" "$t" "$pj" ${FLUSH[@]+"${FLUSH[@]}"} ${TORCH_ARGS:-} >&2
        pjs+=("$pj")
      fi
    done
    ij=$(best_of "${ijs[@]}")
    dj="$TMP/$w-t$t-libtorch.json"; pj="$TMP/$w-t$t-torch.json"
    [ ${#djs[@]} -gt 0 ] && dj=$(best_of "${djs[@]}")
    [ ${#pjs[@]} -gt 0 ] && pj=$(best_of "${pjs[@]}")
    RUNS+=("$w" "$t" "$ij" "$dj" "$pj")
  done
done
cat "$PROBES" >&2
mkdir -p "$OUT"
cp "$PROBES" "$OUT/$STAMP-$TAG.probe.txt"

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
ISA=$(grep -q avx512f /proc/cpuinfo && echo "AVX-512" || echo "no AVX-512")
CPUINFO="$CPU ($(lscpu | sed -n 's/^Vendor ID: *//p' | head -1), family $(lscpu | sed -n 's/^CPU family: *//p'), $ISA), $(nproc) cores"
exec $PY "$ROOT/benchmarks/compare_table.py" "$OUT/$STAMP-$TAG" "$CPUINFO" "${RUNS[@]}"
