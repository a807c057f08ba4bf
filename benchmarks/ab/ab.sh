#!/usr/bin/env bash
# A/B of two compilers on one model, in one JVM: compiles MODEL with the `bin/ingot` of two checkouts
# (each into its own package), then alternates timed windows of their training steps on one thread,
# timing the thread's CPU time (robust to other load on the machine).
#   benchmarks/ab/ab.sh BEFORE_CHECKOUT AFTER_CHECKOUT dsl-examples/char_transformer.ingot [BATCH] [VOCAB] [ROUNDS]
# VOCAB bounds the random i32 inputs (token ids and labels). Uses $JAVA_HOME (JDK 25 recommended); extra JVM
# options in $AB_JAVA_OPTS (e.g. -Xlog:gc). Each round also prints the bytes allocated per training step (small when
# C2 keeps every vector in registers; boxed vectors show up here). Both sides run on AFTER's runtime jars; when
# BEFORE's generated code uses a runtime class that AFTER removed, name its source in $AB_EXTRA_SRC (compiled with
# both), e.g. AB_EXTRA_SRC=$BEFORE/runtime/src/main/java/dev/ingot/runtime/kernels/VectorMath.java; the classes compiled
# here come first on the class path, so a source there also replaces a runtime class both sides use (e.g. a
# VectorConstants with the fields of both, when AFTER dropped constants BEFORE's code reads).
set -euo pipefail
before="$1"; after="$2"; model="$3"; batch="${4:-32}"; vocab="${5:-2}"; rounds="${6:-8}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
"$before/bin/ingot" compile "$model" -o "$work/src" --package before >/dev/null
"$after/bin/ingot" compile "$model" -o "$work/src" --package after >/dev/null
cp="$(ls "$after"/cli/target/lib/*.jar | tr '\n' ':')"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"; JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
"$JAVAC" --release 17 --add-modules jdk.incubator.vector -nowarn -cp "$cp" -d "$work/classes" "$here/AB.java" ${AB_EXTRA_SRC:-} $(find "$work/src" -name '*.java') 2>&1 | grep -v "^Note\|^warning\|incubat" || true
cls="$(basename "$(find "$work/src/before" -name '*.java' | head -1)" .java)"
"$JAVA" --add-modules jdk.incubator.vector -XX:+UseG1GC ${AB_JAVA_OPTS:-} -cp "$work/classes:$cp" AB "before.$cls" "after.$cls" 1 "$batch" "$vocab" "$rounds" 2>&1 | grep -v "^WARNING"
rm -rf "$work"
