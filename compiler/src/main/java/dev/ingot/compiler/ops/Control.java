package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.List;

/**
 * Control flow: ops with a sub-graph ({@code scan}) and the projections of their results
 * ({@code scan_out}). Fusion makes a loop kernel of each, and codegen emits it as a Java loop over
 * the sub-graph's own kernels.
 */
public non-sealed interface Control extends Op {
    @Override default FusionKind fusionKind() { return FusionKind.CONTROL; }

    /**
     * Gradient of a multi-output op: {@code projections.get(i)} is the node of output i (null when
     * unused), {@code cotangents.get(i)} its gradient (null when none flows). Returns one gradient
     * per input (null where none).
     */
    default List<Node> vjpMulti(GraphBuilder g, Node node, List<Node> projections, List<Node> cotangents) {
        throw new UnsupportedOperationException(name() + " has no multi-output gradient");
    }
}
