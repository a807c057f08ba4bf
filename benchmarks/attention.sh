#!/usr/bin/env bash
# The fused attention op against the attention written out (issue 12, item 4; multi_head_attention's path when it
# has dropout on the weights, and its only path before 2026-12-05 night): one attention layer and a
# causal mask over a character model, sequence lengths T (default "64 256"), training and inference examples/s
# (`bin/ingot bench`, alternating fused and unfused) and the training step's arena (`--dump-ir`).
#
#   benchmarks/attention.sh [--lengths "64 256"] [--threads N] [--rounds N]
#
# The two models are benchmarks/attention/{fused,unfused}.ingot.in with T replaced. JAVA_HOME as for bin/ingot
# (default: JDK 25 if installed). Run it on an otherwise idle machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LENGTHS="64 256"; THREADS=1; ROUNDS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --lengths) LENGTHS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "attention.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
[ -z "${JAVA_HOME:-}" ] && [ -x "$JDK25/bin/java" ] && export JAVA_HOME=$JDK25
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| T | model | arena floats (trainStep) | train examples/s | inference examples/s |"
echo "|---:|---|---|---:|---:|"
for t in $LENGTHS; do
  for m in fused unfused; do
    sed "s/\bT\b/$t/g" "$ROOT/benchmarks/attention/$m.ingot.in" > "$tmp/$m$t.ingot"
    "$ROOT/bin/ingot" compile "$tmp/$m$t.ingot" --dump-ir -o "$tmp/out-$m$t" > /dev/null
  done
  declare -A train=() infer=()
  for r in $(seq "$ROUNDS"); do
    for m in fused unfused; do
      out=$("$ROOT/bin/ingot" bench "$tmp/$m$t.ingot" --threads "$THREADS" --warmup 10 --windows 3 2>&1)
      tr=$(echo "$out" | awk '/^train_examples_per_second/ {gsub(",", "", $2); print $2}')
      inf=$(echo "$out" | awk '/^infer_examples_per_second/ {gsub(",", "", $2); print $2}')
      [ "${tr:-0}" -gt "${train[$m]:-0}" ] && train[$m]=$tr
      [ "${inf:-0}" -gt "${infer[$m]:-0}" ] && infer[$m]=$inf
    done
  done
  for m in fused unfused; do
    arena=$(grep -h '^schedule' "$tmp/out-$m$t/ir/trainStep.schedule" | sed 's/.*arena //')
    echo "| $t | $m | $arena | ${train[$m]} | ${infer[$m]} |"
  done
done
