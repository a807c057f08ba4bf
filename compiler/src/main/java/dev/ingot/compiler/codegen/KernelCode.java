package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.Node;

import java.util.List;

/**
 * One emitted kernel method {@code name(int lo, int hi)} over {@code [0, range)} of its outermost
 * level, and whether the work is big enough to split across threads.
 *
 * @param anchor a node of the kernel whose provenance names the DSL line
 * @param helpers further methods the kernel calls (each a member of the class), e.g. a row phase of its own
 */
record KernelCode(String name, String text, String range, boolean parallel, Node anchor, List<String> helpers) {
    KernelCode(String name, String text, String range, boolean parallel, Node anchor) {
        this(name, text, range, parallel, anchor, List.of());
    }
}
