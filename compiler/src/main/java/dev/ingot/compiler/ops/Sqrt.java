package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise square root. <p>Forward: {@code y = sqrt(x)}. Backward: {@code dx = dy * 0.5 / y}.
 */
public final class Sqrt implements Elementwise {
    public String name() { return "sqrt"; }

    public double apply(double[] x, Attrs a) { return Math.sqrt(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "(float) Math.sqrt(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".sqrt()"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.div(g.mul(dy, 0.5), y)); }
    public TestSpec testSpec() { return TestSpec.of(0.2, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
