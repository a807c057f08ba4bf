package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Node;

/**
 * One emitted kernel method {@code name(int lo, int hi)} over {@code [0, range)} of its outermost
 * level, and whether the work is big enough to split across threads.
 *
 * @param anchor a node of the kernel whose provenance names the DSL line
 */
record KernelCode(String name, String text, String range, boolean parallel, Node anchor) {}
