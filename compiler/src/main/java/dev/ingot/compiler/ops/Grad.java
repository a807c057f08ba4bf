package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * {@code grad(y, wrt)}: the gradient of scalar {@code y} with respect to {@code wrt} (an input, a
 * parameter or any intermediate value), as a value of {@code wrt}'s type. A placeholder: the pass
 * {@code ExpandGradients} replaces it by the reverse-mode graph that {@code Differentiate} builds,
 * right after the phase of the entry point is chosen (so a gradient taken in {@code evaluate} sees
 * dropout off, and one taken in the training step sees it on), before any other pass; so it never
 * reaches the training step's own differentiation, the interpreter or codegen.
 */
public final class Grad implements Elementwise {
    public String name() { return "grad"; }

    @Override public TensorType inferType(List<TensorType> in, Attrs a) {
        if (!in.get(0).shape().isScalar() || in.get(0).dtype() != DType.F32)
            throw new ShapeError("grad: the first argument must be a scalar f32 value (a loss), got " + in.get(0));
        if (in.get(1).dtype() != DType.F32) throw new ShapeError("grad: gradients exist only with respect to f32 values, got " + in.get(1));
        return in.get(1);
    }

    public double apply(double[] x, Attrs a) { throw new IllegalStateException("grad must be expanded by ExpandGradients first"); }
    public String scalar(List<String> x, Attrs a) { throw new IllegalStateException("grad must be expanded by ExpandGradients before codegen"); }
    public String vector(List<String> x, Attrs a) { throw new IllegalStateException("grad must be expanded by ExpandGradients before codegen"); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { throw new IllegalStateException("grad must be expanded by ExpandGradients before autodiff"); }
}
