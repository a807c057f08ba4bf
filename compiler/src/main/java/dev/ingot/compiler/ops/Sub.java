package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise difference with broadcasting. <p>Forward: {@code y = a - b}. Backward: {@code da = dy, db = -dy}.
 */
public final class Sub implements Elementwise {
    public String name() { return "sub"; }

    public double apply(double[] x, Attrs a) { return x[0] - x[1]; }
    public String scalar(List<String> x, Attrs a) { return "(" + x.get(0) + " - " + x.get(1) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".sub(" + x.get(1) + ")"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(dy, g.neg(dy)); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4), TensorType.f32(3, 4)), TestSpec.c(TensorType.f32(4), TensorType.f32(3, 4))); }
}
