#!/bin/sh
# Ingot -> PyTorch check (needs PyTorch, so not part of the Maven build; see README.md):
#  1. the committed checkpoints saved by Ingot (fixtures/X.ingot.safetensors) load into the PyTorch
#     twins, whose outputs on the committed inputs match Ingot's (fixtures/X.ingot-io.safetensors);
#  2. unless --committed: the Java test InteropIngotToTorchTest#writeIngotCheckpoints saves fresh
#     checkpoints of all three examples (the CNN with its Adam and dropout-RNG state) into
#     dsl-examples/target/interop, and those are checked the same way;
#  3. the PyTorch exports (fixtures/X.torch.safetensors) read back into PyTorch unchanged.
# Exit status 1 if any output differs by more than 1e-4 (TOL=...).
# Usage: tools/interop/check_roundtrip.sh [--committed]
set -eu
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
TOL=${TOL:-1e-4}
F=tools/interop/fixtures
status=0
check() {  # model checkpoint inputs
    $PY tools/interop/import.py "$1" "$2" --inputs "$3" --tol "$TOL" || status=1
}

echo "== committed Ingot checkpoints -> PyTorch"
for m in mnist_mlp char_lstm; do check $m "$F/$m.ingot.safetensors" "$F/$m.ingot-io.safetensors"; done

if [ "${1:-}" != "--committed" ]; then
    out="$PWD/dsl-examples/target/interop"
    echo "== fresh Ingot checkpoints ($out) -> PyTorch"
    mvn -q -o -pl dsl-examples -am test -Dtest='InteropIngotToTorchTest#writeIngotCheckpoints' \
        -Dsurefire.failIfNoSpecifiedTests=false -Dingot.interop.out="$out" 2>&1 | grep -v '^WARNING: Using incubator' || true
    for m in mnist_mlp mnist_cnn char_lstm; do
        if [ -f "$out/$m.ingot.safetensors" ]; then check $m "$out/$m.ingot.safetensors" "$out/$m.ingot-io.safetensors"
        else echo "$m: no $out/$m.ingot.safetensors (the Java test failed?)"; status=1; fi
    done
fi

echo "== PyTorch exports read back into PyTorch"
for m in mnist_mlp mnist_cnn char_lstm; do check $m "$F/$m.torch.safetensors" "$F/$m.torch-io.safetensors"; done

[ $status -eq 0 ] && echo "all outputs within $TOL" || echo "FAILED"
exit $status
