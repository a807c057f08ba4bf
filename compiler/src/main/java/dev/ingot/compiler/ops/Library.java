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
     * The output axis along which the lowering can add a bias as an epilogue (with a ReLU after it),
     * applied to each output block before it is stored ({@code Lowering.epilogue}); -1: no epilogue.
     */
    default int epilogueAxis(Node n) { return -1; }

    @Override default FusionKind fusionKind() { return FusionKind.LIBRARY; }
}
