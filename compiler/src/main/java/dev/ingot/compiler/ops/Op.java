package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * A primitive operation of the IR. Each primitive lives in one file that holds everything about it:
 * its shape rule, its gradient rule (in IR ops), its float64 reference semantics and its lowering.
 * The category interfaces say how fusion, memory planning and codegen treat it.
 */
public sealed interface Op permits Leaf, Elementwise, Reduction, Library, Movement, Control {
    /** IR mnemonic (and DSL name where the op is exposed to the DSL). */
    String name();

    /** Shape and type rule; throws {@link ShapeError} with a message in the user's terms. */
    TensorType inferType(List<TensorType> in, Attrs a);

    /**
     * Gradient rule: given the output node and the gradient flowing into it, returns one gradient
     * per input (null where no gradient flows, e.g. integer labels or masks). Gradients may have a
     * broadcast input's larger shape; {@code Differentiate} sums them back to the input's shape.
     */
    List<Node> vjp(GraphBuilder g, Node out, Node dOut);

    /** float64 reference semantics on concrete shapes (row-major arrays). */
    double[] eval(List<double[]> in, List<int[]> inShapes, int[] outShape, Attrs a);

    /** What this op is to the fusion planner. */
    FusionKind fusionKind();

    /** Domains, shapes and attributes for the generic gradient and codegen checks; null to skip. */
    default TestSpec testSpec() { return null; }
}
