package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Node;

/**
 * An op that only moves data: reshape (an alias of its input's buffer, no code) and transpose
 * (a copy, unless folded into a matmul by the simplifier).
 */
public non-sealed interface Movement extends Op {
    /** True when the output shares its input's buffer (no data moves). */
    boolean isAlias();

    /** Emits the copy for non-alias movements. */
    void lower(Lowering cx, Node n);

    @Override default FusionKind fusionKind() { return isAlias() ? FusionKind.ALIAS : FusionKind.INJECTIVE; }
}
