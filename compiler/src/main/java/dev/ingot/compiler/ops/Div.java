package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise quotient with broadcasting. <p>Forward: {@code y = a / b}. Backward: {@code da = dy / b, db = -dy * y / b} (reuses y).
 */
public final class Div implements Elementwise {
    public String name() { return "div"; }

    public double apply(double[] x, Attrs a) { return x[0] / x[1]; }
    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " / " + x.get(1) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".div(" + x.get(1) + ")"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) {
        Node da = g.div(dy, y.in(1));
        return List.of(da, g.neg(g.mul(da, y)));
    }
    public TestSpec testSpec() { return TestSpec.of(0.5, 2, TestSpec.c(TensorType.f32(3, 4), TensorType.f32(3, 4)), TestSpec.c(TensorType.f32(3, 4), TensorType.f32(4))); }
}
