package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Values with no inputs: model inputs, parameters, state, constants and the runtime batch size.
 * They are bound by the interpreter and by codegen, never computed.
 */
public non-sealed interface Leaf extends Op {
    @Override default FusionKind fusionKind() { return FusionKind.LEAF; }

    @Override default List<Node> vjp(GraphBuilder g, Node out, Node dOut) { return List.of(); }

    @Override default double[] eval(List<double[]> in, List<int[]> s, int[] o, Attrs a) {
        throw new UnsupportedOperationException("leaf " + name() + " is bound, not evaluated");
    }

    /** The declared type is carried in the attrs ({@code dtype}, {@code shape}). */
    @Override default TensorType inferType(List<TensorType> in, Attrs a) {
        return new TensorType(dev.ingot.compiler.ir.DType.valueOf(a.s("dtype")), new dev.ingot.compiler.ir.Shape(a.ints("shape")));
    }
}
