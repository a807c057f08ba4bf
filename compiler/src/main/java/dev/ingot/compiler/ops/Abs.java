package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise absolute value. <p>Forward: {@code y = |x|}. Backward: {@code dx = x > 0 ? dy : -dy}.
 */
public final class Abs implements Elementwise {
    public String name() { return "abs"; }

    public double apply(double[] x, Attrs a) { return Math.abs(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "Math.abs(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { return x.get(0) + ".abs()"; }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.where(g.gt(y.in(0), g.zero()), dy, g.neg(dy))); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4))).excludingZero(); }
}
