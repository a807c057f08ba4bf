package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Reshape to {@code shape} (same element count, row-major). <p>Forward: a view: the output aliases
 * its input's buffer, no code runs. Backward: {@code dx = reshape(dy, shape(x))}.
 */
public final class Reshape implements Movement {
    public String name() { return "reshape"; }
    public boolean isAlias() { return true; }

    public TensorType inferType(List<TensorType> in, Attrs a) {
        Shape from = in.get(0).shape(), to = new Shape(a.ints("shape"));
        if (!from.numel().equals(to.numel()))
            throw new ShapeError("reshape: cannot reshape " + from + " (" + from.numel() + " elements) to " + to + " (" + to.numel() + " elements)");
        return in.get(0).withShape(to);
    }

    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.reshape(dy, y.in(0).shape())); }
    public double[] eval(List<double[]> in, List<int[]> s, int[] o, Attrs a) { return in.get(0).clone(); }
    public void lower(Lowering cx, Node n) { /* alias: nothing to do */ }

    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(Attrs.of("shape", new int[] {4, 3}), TensorType.f32(2, 6))); }
}
