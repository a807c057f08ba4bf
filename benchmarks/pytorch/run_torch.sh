#!/usr/bin/env bash
# Run one PyTorch benchmark configuration in its own process with the tuned environment.
#   run_torch.sh WORKLOAD THREADS JSON [extra bench_torch.py args...]
# Settings (justified in README.md):
#   - OpenBLAS openmp build first on LD_LIBRARY_PATH (shares libgomp's thread pool with torch)
#   - OPENBLAS_CORETYPE=SkylakeX, OPENBLAS_L2_SIZE unset (AVX-512 sgemm kernels; the core that
#     OpenBLAS 0.3.21 autodetects on this Xeon, Cooperlake, is 4-5x slower for sgemm)
#   - OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = THREADS (+ torch.set_num_threads)
#   - OMP_WAIT_POLICY=PASSIVE (see below)
# Override any of them by exporting TORCH_BENCH_<NAME> (e.g. TORCH_BENCH_OPENBLAS_CORETYPE=Haswell).
set -euo pipefail
if [ $# -lt 3 ]; then echo "usage: $0 WORKLOAD THREADS JSON [bench_torch.py args...]" >&2; exit 2; fi
W=$1; T=$2; J=$3; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null; then echo "error: $PY has no torch (apt-get install python3-torch)" >&2; exit 1; fi

OB=$(dpkg -L libopenblas0-openmp 2>/dev/null | grep '/libopenblas\.so\.0$' | head -1 | xargs -r dirname || true)
if [ -z "$OB" ] || [ ! -d "$OB" ]; then
  echo "error: libopenblas0-openmp is not installed (apt-get install libopenblas0-openmp)" >&2; exit 1
fi

unset OPENBLAS_L2_SIZE OPENBLAS_CORETYPE
export LD_LIBRARY_PATH="$OB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OPENBLAS_CORETYPE=${TORCH_BENCH_OPENBLAS_CORETYPE:-SkylakeX}
[ -n "${TORCH_BENCH_OPENBLAS_L2_SIZE:-}" ] && export OPENBLAS_L2_SIZE=$TORCH_BENCH_OPENBLAS_L2_SIZE
export OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T MKL_NUM_THREADS=$T
# OpenMP workers sleep instead of spinning between parallel regions. On this shared 2-core machine
# a spinning worker whose partner core is taken by another process stalls every region for a
# scheduler time slice (2-thread runs 10-30x slower); PASSIVE avoids that. "unset" = libgomp default.
WP=${TORCH_BENCH_OMP_WAIT_POLICY:-PASSIVE}
if [ "$WP" = unset ]; then unset OMP_WAIT_POLICY; else export OMP_WAIT_POLICY=$WP; fi
for v in GOMP_SPINCOUNT OMP_PROC_BIND OMP_PLACES ATEN_CPU_CAPABILITY DNNL_MAX_CPU_ISA; do
  o=TORCH_BENCH_$v; [ -n "${!o:-}" ] && export "$v=${!o}"
done
exec $PY "$HERE/bench_torch.py" "$W" --threads "$T" --json "$J" "$@"
