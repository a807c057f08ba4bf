#!/usr/bin/env bash
# Matmul GFLOP/s for several BLAS settings, each in its own process, interleaved
# over ROUNDS rounds so that load from other processes spreads over all settings.
# Usage: probe_blas.sh [ROUNDS] [THREADS...]   (defaults: 3 rounds, threads 1 2)
set -u
cd "$(dirname "$0")"
ROUNDS=${1:-3}; shift || true
THREADS=${*:-1 2}
OB=$(dpkg -L libopenblas0-openmp 2>/dev/null | grep '/openblas-openmp/libopenblas.so.0$' | xargs -r dirname)
OB=${OB:-/usr/lib/x86_64-linux-gnu/openblas-openmp}
PY=/usr/bin/python3
run() { # label, then env assignments
  local label=$1; shift
  printf '%-28s ' "$label"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T "$@" \
    $PY blas_probe.py "$T" 0.4 | $PY -c 'import json,sys; d=json.load(sys.stdin); print("  ".join("%s %6.1f [%6.1f-%6.1f]"%(k.split("_")[0],v["median"],v["min"],v["max"]) for k,v in d["gflops"].items()), " discarded", d["discarded_busy_windows"], "waited", d["waited_for_quiet_s"])'
}
for r in $(seq "$ROUNDS"); do
  for T in $THREADS; do
    echo "--- round $r, threads $T"
    run "system-default(autodetect)"
    run "openmp autodetect"           LD_LIBRARY_PATH=$OB
    run "openmp Haswell"              LD_LIBRARY_PATH=$OB OPENBLAS_CORETYPE=Haswell
    run "openmp SkylakeX"             LD_LIBRARY_PATH=$OB OPENBLAS_CORETYPE=SkylakeX
    run "openmp SkylakeX L2=512"      LD_LIBRARY_PATH=$OB OPENBLAS_CORETYPE=SkylakeX OPENBLAS_L2_SIZE=512
    run "openmp SkylakeX L2=2048"     LD_LIBRARY_PATH=$OB OPENBLAS_CORETYPE=SkylakeX OPENBLAS_L2_SIZE=2048
  done
done
