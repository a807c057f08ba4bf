#!/bin/sh
# Checks that every PyTorch twin (twins.py) computes what its Ingot example computes and draws its
# initial weights like Ingot (needs PyTorch, so not part of the Maven build; see README.md):
#  1. check_twins.py writes random inputs of each example's shapes;
#  2. the Java test TwinsOutputsTest#writeIngotOutputs compiles each example, initializes it (seed 1),
#     saves its weights and runs predict on those inputs;
#  3. check_twins.py loads Ingot's weights into the twin by Ingot's names and compares every output.
# Exit status 1 if an output differs by more than 1e-4 (TOL=...) or a name, shape or initializer differs.
# Usage: tools/twins/check_twins.sh [EXAMPLE...]      (default: all nine; files in dsl-examples/target/twins)
set -eu
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
out="$PWD/dsl-examples/target/twins"
rm -rf "$out"
$PY tools/twins/check_twins.py inputs "$out" "$@"
mvn -q -o -pl dsl-examples -am test -Dtest='TwinsOutputsTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dingot.twins.dir="$out" 2>&1 | grep -v '^WARNING: Using incubator' || true
$PY tools/twins/check_twins.py compare "$out" --tol "${TOL:-1e-4}" "$@"
