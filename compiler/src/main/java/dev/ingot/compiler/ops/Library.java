package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Node;

/**
 * An op lowered to a call of a hand-written runtime kernel (matmul, one_hot, ...) or to custom
 * code. Its lowering lives in the op's file, through {@link #lower}.
 */
public non-sealed interface Library extends Op {
    /** Emits the Java statements computing {@code n} into its planned buffer. */
    void lower(Lowering cx, Node n);

    /**
     * Whether the lowering takes an epilogue: a bias along the output's last axis and a ReLU,
     * applied to each output block before it is stored ({@code Lowering.epilogue}).
     */
    default boolean acceptsEpilogue(Node n) { return false; }

    @Override default FusionKind fusionKind() { return FusionKind.LIBRARY; }
}
