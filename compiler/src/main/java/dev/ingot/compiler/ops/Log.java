package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * Elementwise natural logarithm. <p>Forward: {@code y = log(x)}. Backward: {@code dx = dy / x}.
 */
public final class Log implements Elementwise {
    public String name() { return "log"; }
    @Override public boolean heavy() { return true; }

    public double apply(double[] x, Attrs a) { return Math.log(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "ScalarMath.log(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) { throw new UnsupportedOperationException("vector code is statements"); }
    @Override public String vectorStatements(List<String> x, Attrs a, String out) { return VectorPolynomials.log(x.get(0), out); }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return List.of(g.div(dy, y.in(0))); }
    public TestSpec testSpec() { return TestSpec.of(0.2, 3, TestSpec.c(TensorType.f32(3, 4))); }
}
