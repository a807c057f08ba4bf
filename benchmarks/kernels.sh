#!/usr/bin/env bash
# Kernel-level comparison: Ingot's SGEMM (MatMulBench) and convolution (Conv2dBench) against libtorch 2.7.1's
# (MKL SGEMM, oneDNN convolution; LibtorchKernelBench) on the same shapes and thread counts, in GFLOP/s, beside
# the measured FMA peak of one core (PeakBench). Writes the table into benchmarks/README.md (between the
# "kernels:begin/end" markers) and the raw JMH JSON to benchmarks/results/kernels-<timestamp>/.
#
#   benchmarks/kernels.sh [--quick] [--threads "1 2"] [--shapes "MxKxN:ab ..."] [--no-readme]
#
#   --quick     short JMH runs (2 x 0.5 s warm-up, 3 x 0.5 s measured) for guidance during kernel work
#   default     3 x 1 s warm-up, 5 x 1 s measured, one fork per shape
# Needs: mvn -B -pl benchmarks -am package -DskipTests (JDK 21+), mvn -B -f benchmarks/libtorch/pom.xml package.
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS="1 2"
README=1
JMH=(-wi 3 -w 1s -i 5 -r 1s -f 1)
# The GEMM shapes the workloads run, MxKxN:ab (C[M,N] = op(A)[M,K] @ op(B)[K,N]; t = operand stored transposed).
SHAPES=(
  128x784x256:nn 784x128x256:tn 128x256x784:nt 128x128x10:nn         # mlp / ae: forward, dW, dX, logits
  64x9216x128:nn 9216x64x128:tn 64x128x9216:nt                       # cnn: dense 9216 -> 128
  32x256x1024:nn 32x256x1024:np 32x256x768:np 32x256x256:np 32x1024x256:nt 32x1024x256:np  # recurrent step, batch 32: unpacked, weights packed once (lstm/gru/rnn); dh unpacked and packed (the backward step's)
  256x2048x1024:tn 1024x2048x256:tn 64x2048x1024:tn                  # hoisted weight gradients, K = 32 x 64 steps
  2048x128x384:nn 2048x128x512:nn 2048x512x128:nt 128x2048x512:tn    # transformer: qkv, ff1, dX of ff1, dW of ff1
  2048x256x65:nn                                                     # char-LM head over all steps
  1x784x256:nn 1x256x1024:nn                                         # batch-1 inference
  256x256x256:nn
)
CONVS=(conv1.forward conv2.forward conv2.train)
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) JMH=(-wi 2 -w 500ms -i 3 -r 500ms -f 1); shift ;;
    --threads) THREADS=$2; shift 2 ;;
    --shapes) read -r -a SHAPES <<< "$2"; shift 2 ;;
    --no-readme) README=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "kernels.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR="$ROOT/benchmarks/target/benchmarks.jar"
[ -s "$JAR" ] || { echo "kernels.sh: $JAR missing; mvn -B -pl benchmarks -am package -DskipTests" >&2; exit 1; }
DJL="$ROOT/benchmarks/libtorch/run_djl.sh"
[ -s "$ROOT/benchmarks/libtorch/target/classpath.txt" ] || {
  echo "kernels.sh: libtorch side not built; mvn -B -f benchmarks/libtorch/pom.xml package" >&2; exit 1; }

OUT="$ROOT/benchmarks/results/kernels-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SHAPE_LIST=$(IFS=,; echo "${SHAPES[*]}")
CONV_LIST=$(IFS=,; echo "${CONVS[*]}")
CONV_OPS=conv1.forward,conv2.forward,conv2.backwardInput,conv2.backwardWeight
TLIST=$(echo "$THREADS" | tr ' ' ',')

echo ">>> FMA peak (PeakBench)" >&2
"$JAVA" -jar "$JAR" PeakBench "${JMH[@]}" -rf json -rff "$OUT/peak.json" >&2
echo ">>> Ingot MatMulBench, threads $TLIST" >&2
"$JAVA" -jar "$JAR" MatMulBench -p shape="$SHAPE_LIST" -p threads="$TLIST" "${JMH[@]}" -rf json -rff "$OUT/ingot-matmul.json" >&2
echo ">>> Ingot Conv2dBench, threads $TLIST" >&2
"$JAVA" -jar "$JAR" Conv2dBench -p op="$CONV_OPS" -p threads="$TLIST" "${JMH[@]}" -rf json -rff "$OUT/ingot-conv.json" >&2
for t in $THREADS; do
  echo ">>> libtorch 2.7.1 kernels, $t thread(s)" >&2
  "$DJL" --kernels "$t" -p shape="$SHAPE_LIST,$CONV_LIST" "${JMH[@]}" -rf json -rff "$OUT/libtorch-t$t.json" >&2
done
cp "$ROOT/benchmarks/libtorch/target/build-info-t$(echo "$THREADS" | awk '{print $1}').txt" "$OUT/libtorch-build-info.txt"
ARGS=("$OUT")
[ "$README" = 1 ] && ARGS+=(--readme "$ROOT/benchmarks/README.md")
/usr/bin/python3 "$ROOT/benchmarks/kernels_table.py" "${ARGS[@]}"
