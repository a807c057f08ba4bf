#!/bin/sh
# Regenerates tools/interop/fixtures/ (see README.md):
#   X.torch.safetensors, X.torch-io.safetensors   PyTorch -> Ingot, by export.py (PyTorch 1.13)
#   X.ingot.safetensors, X.ingot-io.safetensors   Ingot -> PyTorch, by the Java test
#                                                 InteropIngotToTorchTest#writeIngotCheckpoints
# for the three examples (the CNN's Ingot checkpoint is not committed: check_roundtrip.sh makes it).
# Usage: tools/interop/make_fixtures.sh [--torch-only]
set -eu
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
F=tools/interop/fixtures
mkdir -p "$F"
$PY tools/interop/export.py mnist_mlp "$F/mnist_mlp.torch.safetensors" --seed 0 --train-steps 100
$PY tools/interop/export.py mnist_cnn "$F/mnist_cnn.torch.safetensors" --seed 0 --train-steps 100
$PY tools/interop/export.py char_lstm "$F/char_lstm.torch.safetensors" --seed 0 --train-steps 100
[ "${1:-}" = "--torch-only" ] && exit 0
# The Ingot side uses the inputs of the -io files just written.
mvn -q -o -pl dsl-examples -am test -Dtest='InteropIngotToTorchTest#writeIngotCheckpoints' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dingot.interop.out="$PWD/$F" -Dingot.interop.models=mnist_mlp,char_lstm
