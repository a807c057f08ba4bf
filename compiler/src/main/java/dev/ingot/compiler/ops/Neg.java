package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise negation. <p>Forward: {@code y = -x}. Backward: {@code dx = -dy}.
 */
public final class Neg implements Elementwise {
    public String name() { return "neg"; }

    public double apply(double[] x, Attrs a) { return -x[0]; }
    public String scalar(List<String> x, Attrs a) { return "(-" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".neg()"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.neg(dy)); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4))); }
}
