#!/usr/bin/env bash
# Run one libtorch 2.7.1 (DJL 0.36.0) benchmark configuration in its own JVM with a fair environment.
#   run_djl.sh WORKLOAD THREADS JSON [LibtorchBench args...]
#   run_djl.sh --kernels THREADS [JMH args...]          (the JMH kernel benchmark, LibtorchKernelBench)
#   run_djl.sh --twin-check OUTDIR [WORKLOAD...]         (TwinCheck: weights, outputs, gradients for check_twins.sh)
# Settings (see WORKLOADS.md, "A fair current libtorch (DJL)"):
#   - offline: ai.djl.offline=true, PYTORCH_FLAVOR=cpu, PYTORCH_VERSION=2.7.1: DJL unpacks the libraries of the
#     pytorch-native-cpu jar on the class path into its cache (DJL_CACHE_DIR, default ~/.djl.ai) and downloads nothing
#   - OMP_NUM_THREADS = MKL_NUM_THREADS = THREADS; libtorch intra-op threads = THREADS, inter-op = 1
#   - OMP_WAIT_POLICY: libtorch's default, or LIBTORCH_OMP_WAIT_POLICY (e.g. PASSIVE on a busy machine)
#   - on AMD CPUs, LD_PRELOAD of a one-line library that makes MKL take its Intel (AVX-512) SGEMM path
#     (set LIBTORCH_MKL_INTEL=0 to keep MKL's own choice)
#   - TORCH_CPP_LOG_LEVEL=ERROR (else a warning per convolution call: NNPACK does not know this CPU)
#   - glibc malloc settings that stop it returning and re-faulting the freed tensor memory every step, including
#     MALLOC_ARENA_MAX=1: the JVM thread that calls libtorch is not the process's main thread, so without it glibc
#     serves it from a secondary arena, whose heaps ignore MALLOC_TOP_PAD_ and are trimmed and re-faulted every
#     step; measured: the LSTM trained at 213-363 examples/s in most processes and ~1,000 in some (375k page
#     faults per 10 s against 92k), 650-870 under load with the setting
# Before the run, a probe process with MKL_VERBOSE=1 ONEDNN_VERBOSE=1 records the MKL and oneDNN versions and ISA
# paths; they are printed and stored in the JSON (env.build_info).
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64 if present).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 WORKLOAD THREADS JSON [args...] | $0 --kernels THREADS [jmh args...] | $0 --twin-check OUTDIR [WORKLOAD...]" >&2
  exit 2
fi
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR="$HERE/target/ingot-bench-libtorch-0.1.0-SNAPSHOT.jar"
if [ ! -s "$JAR" ] || [ ! -s "$HERE/target/classpath.txt" ]; then
  echo "run_djl.sh: not built; run: JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -f benchmarks/libtorch/pom.xml package" >&2; exit 1
fi
CP="$JAR:$(cat "$HERE/target/classpath.txt")"

PRELOAD=""
if [ "${LIBTORCH_MKL_INTEL:-1}" != 0 ] && lscpu | grep -q 'AuthenticAMD'; then
  SO="$HERE/target/libmkl_intel_cpu.so"
  if [ ! -s "$SO" ] || [ "$HERE/src/main/c/mkl_intel_cpu.c" -nt "$SO" ]; then
    cc -O2 -shared -fPIC -o "$SO" "$HERE/src/main/c/mkl_intel_cpu.c"
  fi
  PRELOAD=$SO
fi

T=$2
[ "$1" = --twin-check ] && T=1          # the check: one thread (its second argument is a folder)
export OMP_NUM_THREADS=$T MKL_NUM_THREADS=$T
# OpenMP wait policy: libtorch's own default (libgomp spins a while, then sleeps) unless LIBTORCH_OMP_WAIT_POLICY
# is set (PASSIVE: workers sleep at once; on a busy shared machine a spinning worker whose partner core is taken
# stalls every parallel region, and 2-thread runs collapse; the PyTorch 1.13 side uses PASSIVE for that reason).
case "${LIBTORCH_OMP_WAIT_POLICY:-unset}" in
  unset) unset OMP_WAIT_POLICY ;;
  *) export OMP_WAIT_POLICY=$LIBTORCH_OMP_WAIT_POLICY ;;
esac
export MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TOP_PAD_=1073741824 MALLOC_ARENA_MAX=1
export PYTORCH_FLAVOR=cpu PYTORCH_VERSION=2.7.1
# libtorch warns on every convolution call that NNPACK does not support this CPU; keep errors only
export TORCH_CPP_LOG_LEVEL=${TORCH_CPP_LOG_LEVEL:-ERROR}
JOPTS=(-Dai.djl.offline=true -Dai.djl.pytorch.graph_optimizer=false -XX:+UseParallelGC -Xmx2g)

if [ "$1" = --twin-check ]; then        # not a benchmark: no probe
  shift
  exec env ${PRELOAD:+LD_PRELOAD=$PRELOAD} "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.ingot.bench.libtorch.TwinCheck "$@"
fi

# The probe: library versions and ISA paths, as MKL and oneDNN report them.
INFO="$HERE/target/build-info-t$T.txt"
env ${PRELOAD:+LD_PRELOAD=$PRELOAD} MKL_VERBOSE=1 ONEDNN_VERBOSE=1 \
  "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.ingot.bench.libtorch.Probe > "$INFO.raw" 2>&1 || {
  echo "run_djl.sh: the libtorch probe failed:" >&2; tail -20 "$INFO.raw" >&2; exit 1; }
{
  grep -m1 '^libtorch ' "$INFO.raw" || true
  grep -m1 -o 'MKL_VERBOSE oneMKL[^,]*\|MKL_VERBOSE Intel(R) MKL[^,]*' "$INFO.raw" | sed 's/^MKL_VERBOSE //' || true
  grep -m1 -o 'oneDNN v[0-9][^ ]*[^,]*' "$INFO.raw" | sed 's/^/oneDNN: /' || true
  grep -m1 'info,cpu,runtime' "$INFO.raw" | sed 's/.*info,cpu,/oneDNN cpu /' || true
  grep -m1 'info,cpu,isa' "$INFO.raw" | sed 's/.*info,cpu,isa:/oneDNN isa: /' || true
  grep -m1 -o 'exec,cpu,convolution,[^,]*' "$INFO.raw" | sed 's/^exec,cpu,/oneDNN /' || true
  if [ -n "$PRELOAD" ]; then echo "MKL Intel path forced: LD_PRELOAD $PRELOAD (mkl_serv_intel_cpu_true = 1)"; else echo "MKL path: its own choice"; fi
} > "$INFO"

if [ "$1" = --kernels ]; then
  shift 2
  exec env ${PRELOAD:+LD_PRELOAD=$PRELOAD} "$JAVA" "${JOPTS[@]}" -cp "$CP" org.openjdk.jmh.Main \
    -jvmArgsAppend "-Dai.djl.offline=true -Dai.djl.pytorch.graph_optimizer=false" \
    LibtorchKernelBench -p threads="$T" "$@"
fi
W=$1; J=$3; shift 3
exec env ${PRELOAD:+LD_PRELOAD=$PRELOAD} "$JAVA" "${JOPTS[@]}" -cp "$CP" dev.ingot.bench.libtorch.LibtorchBench \
  "$W" --threads "$T" --json "$J" --build-info "$INFO" "$@"
