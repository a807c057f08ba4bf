#!/usr/bin/env bash
# Test reconstruction MSE of the MNIST autoencoder after the same training in Ingot and in PyTorch.
#   benchmarks/quality/compare_ae.sh [--epochs N]      (default: the model's 10 epochs)
# Runs `bin/ingot train dsl-examples/mnist_autoencoder.ingot` and its PyTorch twin (compare_ae.py),
# one after the other, and prints both test MSEs and their ratio; also writes a PNG of Ingot's
# reconstructions to benchmarks/results/ae-reconstructions.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EPOCHS=10
while [ $# -gt 0 ]; do
  case "$1" in --epochs) EPOCHS="$2"; shift 2 ;; *) echo "compare_ae.sh: unknown argument $1" >&2; exit 2 ;; esac
done
OUT="$ROOT/benchmarks/results"; mkdir -p "$OUT"
"$ROOT/bin/ingot" train "$ROOT/dsl-examples/mnist_autoencoder.ingot" --epochs "$EPOCHS" --quiet \
    --metrics "$OUT/ae-ingot.json" --samples "$OUT/ae-reconstructions.png"
OMP_NUM_THREADS=$(nproc) /usr/bin/python3 "$ROOT/benchmarks/quality/compare_ae.py" --epochs "$EPOCHS" --json "$OUT/ae-torch.json"
/usr/bin/python3 - "$EPOCHS" "$OUT" <<'PY' | tee "$OUT/ae-compare.md"
import json, sys
epochs, out = sys.argv[1], sys.argv[2]
i = json.load(open(f"{out}/ae-ingot.json"))["test_mse"]
t = json.load(open(f"{out}/ae-torch.json"))["test_mse"]
print("| model | epochs | Ingot test_mse | PyTorch test_mse | Ingot / PyTorch |\n|---|---|---|---|---|")
print(f"| ae | {epochs} | {i:.5f} | {t:.5f} | {i / t:.3f} |")
PY
