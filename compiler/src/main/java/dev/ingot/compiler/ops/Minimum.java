package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise minimum with broadcasting. <p>Forward: {@code y = a <= b ? a : b}. Backward: the gradient goes to the smaller operand ({@code a} on ties).
 */
public final class Minimum implements Elementwise {
    public String name() { return "minimum"; }

    public double apply(double[] x, Attrs a) { return x[0] <= x[1] ? x[0] : x[1]; }
    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " <= " + x.get(1) + " ? " + x.get(0) + " : " + x.get(1) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".blend(" + x.get(1) + ", " + x.get(0) + ".compare(VectorOperators.GT, " + x.get(1) + "))"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node m = g.le(y.in(0), y.in(1));
        return List.of(g.where(m, dy, g.zero()), g.where(m, g.zero(), dy));
    }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4), TensorType.f32(3, 4)), TestSpec.c(TensorType.f32(4), TensorType.f32(3, 4))); }
}
