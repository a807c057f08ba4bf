package dev.ingot.compiler.ops;

/**
 * What an op is to the fusion planner (each op declares it, {@link Op#fusionKind}); the planner
 * decides kernels by kind, never by the op's class.
 */
public enum FusionKind {
    /** Not computed: inputs, parameters, state, constants, the batch size. */
    LEAF,
    /** A view of its input's buffer (reshape): no kernel, no memory. */
    ALIAS,
    /** Computed independently per element, with numpy broadcasting of its inputs: bundled into fused loops. */
    ELEMENTWISE,
    /** An elementwise identity that widens its input ({@code broadcast_to}): fused into its consumers' loops. */
    BROADCAST,
    /** Each output element is one input element from elsewhere (transpose, slice, pad, concat): a copy kernel. */
    INJECTIVE,
    /** A reduction over a block of axes: a kernel of its own. */
    REDUCTION,
    /** A hand-written runtime kernel (matmul, convolution, pooling, gather...): a kernel of its own. */
    LIBRARY,
    /** Control flow with a sub-graph ({@code scan}) and its result projections: a loop kernel. */
    CONTROL
}
