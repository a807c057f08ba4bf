#!/usr/bin/env bash
# The DJL workloads against the PyTorch twins (tools/twins/twins.py) on the same weights: TwinCheck writes each
# workload's parameters (under the twins' state_dict names), inputs, outputs, loss and gradients (batch 3); then
# check_twins.py loads them into the twin (load_state_dict strict) and compares. Not a benchmark; about a minute.
#   benchmarks/libtorch/check_twins.sh [WORKLOAD...]        (all nine by default; needs the package built)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/target/twin-check"
rm -rf "$OUT"
"$HERE/run_djl.sh" --twin-check "$OUT" "$@"
/usr/bin/python3 "$HERE/check_twins.py" "$OUT" "$@"
