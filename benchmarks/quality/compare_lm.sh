#!/usr/bin/env bash
# Validation loss after the same training in Ingot and in PyTorch (char language models).
#   benchmarks/quality/compare_lm.sh [lstm|rnn|gru|transformer ...] [--steps N]
# Runs `bin/ingot train dsl-examples/char_MODEL.ingot --steps N` and the PyTorch twin
# (compare_lm.py), one after the other, and prints both validation losses and their difference.
# LM_SAVE_DIR=DIR also keeps Ingot's trained weights there (char_MODEL.safetensors, for `bin/ingot sample`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STEPS=2000; MODELS=()
while [ $# -gt 0 ]; do
  case "$1" in --steps) STEPS="$2"; shift 2 ;; *) MODELS+=("$1"); shift ;; esac
done
[ ${#MODELS[@]} -gt 0 ] || MODELS=(lstm)
OUT="$ROOT/benchmarks/results"; mkdir -p "$OUT"
printf "| model | steps | Ingot val_loss | PyTorch val_loss | Ingot - PyTorch |\n|---|---|---|---|---|\n" > "$OUT/lm-compare.md"
for m in "${MODELS[@]}"; do
  "$ROOT/bin/ingot" train "$ROOT/dsl-examples/char_$m.ingot" --steps "$STEPS" --quiet --metrics "$OUT/lm-$m-ingot.json" \
      ${LM_SAVE_DIR:+--save "$LM_SAVE_DIR/char_$m.safetensors"}
  OMP_NUM_THREADS=$(nproc) /usr/bin/python3 "$ROOT/benchmarks/quality/compare_lm.py" "$m" --steps "$STEPS" --json "$OUT/lm-$m-torch.json"
  python3 - "$m" "$STEPS" "$OUT" <<'PY' | tee -a "$OUT/lm-compare.md"
import json, sys
m, steps, out = sys.argv[1], sys.argv[2], sys.argv[3]
i = json.load(open(f"{out}/lm-{m}-ingot.json"))["val_loss"]
t = json.load(open(f"{out}/lm-{m}-torch.json"))["val_loss"]
print(f"| {m} | {steps} | {i:.4f} | {t:.4f} | {i - t:+.4f} |")
PY
done
cat "$OUT/lm-compare.md"
