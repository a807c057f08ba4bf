#!/usr/bin/env bash
# Thread-count sweep (issue 10): every example trains briefly, and mnist_cnn and char_transformer bench, at each
# thread count, each run under a time limit, so that a pool that hangs shows up as "HANG" instead of a stuck job.
#
#   benchmarks/threads.sh [--threads "1 2 3 8 16 32"] [--limit SECONDS]
#
# Prints one line per run: example, command, thread count, exit status (ok / FAIL n / HANG) and seconds.
# Exits 1 if any run failed or hung. JAVA_HOME as for bin/ingot (default: JDK 25 if installed).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS="1 2 3 8 16 32"
LIMIT=600
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --limit) LIMIT=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "threads.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
JDK25=/usr/lib/jvm/temurin-25-jdk-amd64
[ -z "${JAVA_HOME:-}" ] && [ -x "$JDK25/bin/java" ] && export JAVA_HOME=$JDK25
INGOT="$ROOT/bin/ingot"
"$INGOT" --version >/dev/null 2>&1 || true   # builds once, outside the time limits

bad=0
run() {  # name threads args...
  local name=$1 t=$2; shift 2
  local start=$(date +%s) status
  timeout -s KILL "$LIMIT" "$INGOT" "$@" --threads "$t" >/tmp/ingot-threads.log 2>&1
  local rc=$?
  case $rc in 0) status=ok ;; 137) status=HANG; bad=1 ;; *) status="FAIL $rc"; bad=1 ;; esac
  printf '%-22s %-6s threads %-3s %-8s %4ss\n' "$name" "$1" "$t" "$status" "$(( $(date +%s) - start ))"
  [ "$status" = ok ] || tail -5 /tmp/ingot-threads.log
}
for t in $THREADS; do
  for ex in mnist_mlp mnist_cnn fashion_cnn mnist_autoencoder sentiment_bilstm seq2seq; do
    run "$ex" "$t" train "$ROOT/dsl-examples/$ex.ingot" --limit-train 512 --limit-test 128 --epochs 1 --quiet
  done
  for ex in char_rnn char_lstm char_gru char_transformer; do
    run "$ex" "$t" train "$ROOT/dsl-examples/$ex.ingot" --steps 20 --limit-test 256 --quiet
  done
  for ex in mnist_cnn char_transformer; do
    run "$ex" "$t" bench "$ROOT/dsl-examples/$ex.ingot" --warmup 1 --window 0.5 --windows 2
  done
done
exit $bad
