#!/usr/bin/env bash
# PyTorch side only: every workload at 1 and 2 threads, one process at a time.
#   run_all_torch.sh [OUTDIR] [WORKLOAD...]   (default OUTDIR benchmarks/results/pytorch-<timestamp>)
# Extra bench_torch.py arguments can be passed in TORCH_ARGS.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../results/pytorch-$(date +%Y%m%d-%H%M%S)}; shift || true
WLS=${*:-mlp cnn rnn lstm gru bilstm ae seq2seq transformer}
mkdir -p "$OUT"
for w in $WLS; do
  for t in ${THREADS:-1 2}; do
    echo "=== $w threads $t $(date +%T)"
    # shellcheck disable=SC2086
    "$HERE/run_torch.sh" "$w" "$t" "$OUT/$w-t$t.json" ${TORCH_ARGS:-}
  done
done
/usr/bin/python3 - "$OUT" <<'PY'
import glob, json, os, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*-t*.json"))):
    d = json.load(open(f))
    ld = d.get("machine_load", {}).get("foreign_cores_per_window", {})
    busy = max((max(v) for v in ld.values() if v), default=0)
    rows.append((d["workload"], d["threads"], d["train_examples_per_second"]["median"],
                 d["infer_examples_per_second"]["median"], d["latency_b1_ms"]["median"], busy))
print("| workload | threads | train ex/s | infer ex/s | b1 latency ms | max other-process cores |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print("| %s | %d | %.0f | %.0f | %.3f | %.2f |" % r)
PY
