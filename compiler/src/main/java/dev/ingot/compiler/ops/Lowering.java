package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Lin;
import dev.ingot.compiler.ir.Node;

/** What codegen offers an op's lowering: where values live, and a place to write statements. */
public interface Lowering {
    /** Java expression of the array holding {@code n} ({@code a} for the arena, a field for params). */
    String array(Node n);

    /** Java expression of {@code n}'s element offset in {@link #array}. */
    String offset(Node n);

    /** Java expression for a batch-dependent size, e.g. {@code n * 784}. */
    String size(Lin l);

    /** Java expression of the runtime batch size. */
    String batch();

    /** Declares a {@code static final int[]} (or float[]) constant in the generated class; returns its name. */
    String constant(String javaType, String prefix, String initializer);

    /** True for the Vector API target; false for plain scalar Java (which must not load Vector API classes). */
    boolean vector();

    /**
     * The field holding {@code b} (the right operand of a matmul) already packed for
     * {@code MatMulPacked}, or null: inside a loop, weights constant across steps are packed once
     * before the loop.
     */
    default String packed(Node b, boolean transB) { return null; }

    /**
     * The epilogue the schedule gave {@code n}'s kernel, as the trailing arguments of the runtime
     * call ({@code bias array, bias offset, activation code}), or null when it has none. With an
     * epilogue, {@link #array}/{@link #offset} of {@code n} locate the epilogue's output.
     */
    default String epilogue(Node n) { return null; }

    /**
     * Whether the kernel being lowered is part of a row-parallel region: it computes rows {@code [lo, hi)} of its
     * output (Java variables {@code lo} and {@code hi} are in scope), on the calling thread.
     */
    default boolean byRows() { return false; }

    /** Appends one statement (with its trailing semicolon). */
    void emit(String statement);
}
