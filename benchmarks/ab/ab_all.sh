#!/usr/bin/env bash
# A/B of two compilers on every workload of WORKLOADS.md (ab.sh on each, one after the other): the ratio
# after/before of training examples per CPU-second on one thread, and each side's rate.
#   benchmarks/ab/ab_all.sh BEFORE_CHECKOUT AFTER_CHECKOUT [ROUNDS] [WORKLOAD...]
# Writes a Markdown table to stdout (the raw ab.sh output of each workload to stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
before="$1"; after="$2"; rounds="${3:-4}"; shift $(( $# < 3 ? $# : 3 ))
source "$here/../workloads.sh"
# batch (the example's) and the bound of random i32 inputs and labels (the smallest vocabulary or class count)
declare -A BATCH=([mlp]=128 [cnn]=64 [rnn]=32 [lstm]=32 [gru]=32 [bilstm]=32 [ae]=128 [seq2seq]=64 [transformer]=32)
declare -A VOCAB=([mlp]=10 [cnn]=10 [rnn]=65 [lstm]=65 [gru]=65 [bilstm]=2 [ae]=2 [seq2seq]=12 [transformer]=65)
ws=("$@"); [ ${#ws[@]} -eq 0 ] && ws=("${ALL[@]}")
echo "| workload | before ex/CPU-s | after ex/CPU-s | after/before, median (min-max) |"
echo "|---|---:|---:|---|"
for w in "${ws[@]}"; do
  out="$("$here/ab.sh" "$before" "$after" "$after/dsl-examples/${FILE[$w]}" "${BATCH[$w]}" "${VOCAB[$w]}" "$rounds" 2>&1)"
  echo "$out" | sed "s/^/[$w] /" >&2
  echo "$out" | python3 "$here/ab_row.py" "$w"
done
